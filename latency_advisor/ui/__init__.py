"""The desktop app: the only package that imports Qt; it turns core objects into widgets.

Modules imported at start-up (`app`, `main_window`, `theme`, `settings`) stay light; the
workspace and everything that needs the core (pydantic, numpy) is imported after the
window is first painted, so the window appears about as fast as a bare Qt window.
"""
