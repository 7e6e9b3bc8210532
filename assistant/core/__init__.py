"""The product's spine: typed settings, the composition root and the :class:`Assistant` facade."""
