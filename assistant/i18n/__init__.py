"""Languages: Turkish-aware matching, Babel catalogs (extract, load, upkeep, build),
locale-aware formatting and the choice of language."""
