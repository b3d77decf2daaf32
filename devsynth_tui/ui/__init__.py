"""The Textual dashboard: renders what the service layer does; never does it itself."""
