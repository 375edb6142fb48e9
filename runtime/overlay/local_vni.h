#ifndef NETNS_RUN_OVL_LOCAL_VNI_H
#define NETNS_RUN_OVL_LOCAL_VNI_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* 1 (and the device's name in buf) when a VXLAN device of this host has vni; 0 when none. */
int ovl_local_vni_user(uint32_t vni, char *buf, size_t len, struct nr_error *err);

#endif
