"""Analysis: the store projected once into NetworkX (:mod:`.network`) and the algorithms
over it (:mod:`.algorithms`): shared causes, co-occurrence, similar incidents,
recommendations, cause chains."""
