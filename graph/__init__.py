"""The graph: records → triples → the store on disk → reasoning; ``build`` runs the whole
way from report files to a reasoned store."""
