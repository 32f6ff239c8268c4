"""Languages: Turkish-aware matching, Babel catalogs (extract, load, upkeep),
locale-aware formatting and the choice of language."""
