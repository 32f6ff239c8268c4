"""`nes-asistan doctor`: ordered checks of everything between the person and a signature.

`checks` gathers typed `Finding`s (no wording), `texts` words them in Turkish (and through
the catalogs in other languages), `report` builds the redacted support report from the
findings alone, `cli` is the command. Nothing in the doctor ever asks for a secret.
"""
