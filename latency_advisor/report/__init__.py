"""Charts, tables and the stakeholder PDF built from an analysis.

`charts` holds matplotlib Figures shared by the desktop app and the PDF; `document` builds the
PDF. Nothing here imports Qt, and nothing imports this package when the CLI starts.
"""
