"""Editorial policy: what a summary is for (purposes), what it should be about (focus)
and how long it may be (length budgets). One table of purposes (`purposes.POLICIES`);
the use case and the engines ask this package and never branch on a purpose's name."""
