"""CX Lens: importable library behind the Streamlit pages and the pipelines CLI."""
