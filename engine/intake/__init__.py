"""Plan intake: reading plan files (today `engine.intake`) and storing a parsed plan."""
