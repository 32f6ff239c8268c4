"""Languages: Turkish-aware text matching now; Babel catalogs and formatting later."""
