"""The strategy-workshop pack: one folder (report, map, network views, exports) that prepares an
interregional partnership workshop from the graph and works with no internet."""
