"""Logic of the province comparison dashboard.

Pages under ``pages/`` stay thin: they read the view state, call the pure functions of
this package (data loading, comparison, chart and map builders, exports) and render.
Everything here is importable and testable without a browser.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
