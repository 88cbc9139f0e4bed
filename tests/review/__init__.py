"""plan, graph, twins and readable review of the generated tree."""
