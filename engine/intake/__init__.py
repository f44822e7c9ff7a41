"""Plan intake: reading plan files (today `engine.plan`) and storing a parsed plan."""
