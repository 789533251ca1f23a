"""Share links: typed, clamped reading of query parameters (a teacher's URL is untrusted text)."""

from __future__ import annotations


class LinkReader:
    """Reads typed values from query parameters, collecting a warning for each bad one.

    Every method returns a usable value: a missing key gives the default, a bad one the
    default or the nearest allowed value, plus a line in ``warnings`` saying which.
    """

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self.warnings: list[str] = []

    def warn(self, key: str, value: str, what: str) -> None:
        self.warnings.append(f"Link setting {key}={value!r}: {what}.")

    def text(self, key: str, default: str, max_length: int = 500) -> str:
        return str(self.params.get(key, default))[:max_length]

    def number(self, key: str, default: float, low: float, high: float, integer: bool = False) -> float:
        if key not in self.params:
            return default
        raw = self.text(key, "")
        try:
            value = float(raw)
        except ValueError:
            self.warn(key, raw, f"not a number; using {default:g}")
            return default
        if value != value or value in (float("inf"), float("-inf")):
            self.warn(key, raw, f"not a finite number; using {default:g}")
            return default
        clamped = min(max(value, low), high)
        if integer:
            clamped = float(round(clamped))
        if clamped != value:
            self.warn(key, raw, f"out of range {low:g} to {high:g}; using {clamped:g}")
        return clamped

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in options:
            self.warn(key, value, f"unknown; using {default}")
            return default
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.text(key, str(int(default)))
        if value not in ("0", "1"):
            self.warn(key, value, f"expected 0 or 1; using {int(default)}")
            return default
        return value == "1"

    def int_list(self, key: str, default: tuple[int, ...], low: int, high: int, max_length: int) -> tuple[int, ...]:
        raw = self.text(key, ",".join(map(str, default)))
        if raw == "":
            return ()
        try:
            values = [int(float(part)) for part in raw.split(",")]
        except (ValueError, OverflowError):  # OverflowError: inf, 1e999 (NaN is a ValueError)
            self.warn(key, raw, "expected comma-separated finite whole numbers; using the default")
            return default
        clamped = [min(max(value, low), high) for value in values[:max_length]]
        if clamped != values:
            self.warn(key, raw, f"at most {max_length} values from {low} to {high}; clamped")
        return tuple(clamped)

    def float_list(self, key: str, length: int, low: float, high: float) -> tuple[float, ...]:
        parts = self.text(key, "").split(",") if key in self.params else []
        values = []
        for index in range(length):
            try:
                value = float(parts[index]) if index < len(parts) and parts[index] else low
            except ValueError:
                self.warn(key, parts[index], f"not a number; using {low:g}")
                value = low
            if not low <= value <= high:  # also catches NaN
                self.warn(key, parts[index], f"out of range {low:g} to {high:g}; clamped")
                value = low if value != value else min(max(value, low), high)
            values.append(value)
        return tuple(values)

    def choice_list(self, key: str, options: tuple[str, ...], length: int, default: str) -> tuple[str, ...]:
        parts = self.text(key, "").split(",") if key in self.params else []
        values = []
        for index in range(length):
            value = parts[index] if index < len(parts) else default
            if value not in options:
                self.warn(key, value, f"unknown; using {default}")
                value = default
            values.append(value)
        return tuple(values)

