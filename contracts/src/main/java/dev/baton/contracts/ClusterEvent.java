package dev.baton.contracts;

/** Events on {@link Topics#CLUSTERS} (compacted): the inventory of a cluster. */
public sealed interface ClusterEvent extends BatonEvent permits ClusterRegistered {
}
