"""Streamlit widgets and Plotly figure builders shared by the labs' pages."""
