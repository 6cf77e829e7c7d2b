"""Companies: the buying company with its plants, and suppliers."""
