/* A lab's picture (issue 19): the topology drawn with Graphviz's C library (libgvc):
 * nodes shaped by kind, links labelled with their interface names and, once the lab is
 * deployed and lab_read_addresses has filled them, the addresses read from the nodes. */
#ifndef NETNS_RUN_LAB_GRAPH_H
#define NETNS_RUN_LAB_GRAPH_H

#include "base/error.h"
#include "lab/topology.h"

/* Write the picture to PATH, its format from the extension: .svg, .png or .dot (anything
 * else is refused, nothing written).  The file appears whole or not at all. */
int lab_graph_write(const struct lab_topo *t, const char *path, struct nr_error *err);

#endif
