/* The documents of image archives, typed: docker save's manifest.json, the OCI image
 * layout's oci-layout and index.json, image manifests (OCI and Docker schema 2) and the
 * one part of a config the archive code needs (rootfs.diff_ids).  Parsed and written in
 * this one place (jansson); every parser takes untrusted bytes (tests/fuzz).
 *
 * Members are looked up as Go decodes them (json_get_go): docker, podman and containerd
 * are Go and accept "config" for "Config", so we do too. */
#ifndef NETNS_RUN_IMG_MANIFEST_H
#define NETNS_RUN_IMG_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "image/digest.h"

#define IMG_MT_OCI_LAYOUT_VERSION "1.0.0"
#define IMG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMG_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMG_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define IMG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define IMG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define IMG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

/* Annotations (OCI annotations.md; containerd's and Docker 25's name; ours for --since). */
#define IMG_ANN_REF_NAME "org.opencontainers.image.ref.name"
#define IMG_ANN_IMAGE_NAME "io.containerd.image.name"
#define IMG_ANN_SINCE "io.netns-run.since"
/* The member of a manifest.json entry recording `save --since` (ours; Docker ignores it). */
#define IMG_DOCKER_SINCE_KEY "netns-run.since"

/* Limits on what an archive may ask of us: beyond them it is refused, not obeyed. */
#define IMG_MANIFEST_MAX_BYTES (16 << 20)
#define IMG_MANIFEST_MAX_IMAGES 4096
#define IMG_MANIFEST_MAX_LAYERS 1024
#define IMG_MANIFEST_MAX_TAGS 1024

enum img_mt_kind {
	IMG_MT_KIND_UNKNOWN = 0,
	IMG_MT_KIND_INDEX,      /* OCI index or Docker manifest list */
	IMG_MT_KIND_MANIFEST,   /* OCI manifest or Docker schema 2 manifest */
	IMG_MT_KIND_SCHEMA1,    /* Docker schema 1: refused */
	IMG_MT_KIND_CONFIG,     /* OCI or Docker image config */
	IMG_MT_KIND_LAYER,      /* tar */
	IMG_MT_KIND_LAYER_GZIP, /* tar+gzip (OCI or Docker) */
	IMG_MT_KIND_LAYER_ZSTD, /* tar+zstd */
	IMG_MT_KIND_FOREIGN,    /* foreign / non-distributable layers: refused */
};

enum img_mt_kind img_media_type_kind(const char *media_type);
/* The OCI media type of a layer blob of that kind (IMG_MT_KIND_LAYER*), else NULL. */
const char *img_layer_media_type(enum img_mt_kind kind);

/* A content descriptor (OCI descriptor.md) with the annotations we read. */
struct img_desc {
	char *media_type; /* NULL when absent */
	img_digest digest;
	long long size;   /* -1 when absent (Docker's manifest.json has no sizes) */
	char *ref_name;   /* org.opencontainers.image.ref.name, or NULL */
	char *image_name; /* io.containerd.image.name, or NULL */
	char *since;      /* io.netns-run.since ("REF@sha256:…" or "sha256:…"), or NULL */
	char os[32];      /* platform, "" when absent */
	char arch[32];
	bool has_urls; /* a foreign layer's "urls" */
};
void img_desc_clear(struct img_desc *d);

/* oci-layout: {"imageLayoutVersion": "1.x.y"}. */
int img_oci_layout_parse(const char *text, size_t len, struct nr_error *err);

/* index.json, or an index blob (nested index, Docker manifest list). */
struct img_oci_index {
	char *media_type; /* NULL when absent */
	size_t n;
	struct img_desc *manifests;
};
int img_oci_index_parse(const char *text, size_t len, struct img_oci_index *ret, struct nr_error *err);
void img_oci_index_clear(struct img_oci_index *ix);

/* An image manifest: OCI or Docker schema 2 (schema 1 is refused naming it). */
struct img_oci_manifest {
	char *media_type; /* NULL when absent */
	struct img_desc config;
	size_t n_layers;
	struct img_desc *layers;
};
int img_oci_manifest_parse(const char *text, size_t len, struct img_oci_manifest *ret, struct nr_error *err);
void img_oci_manifest_clear(struct img_oci_manifest *m);

/* One entry of docker save's manifest.json. */
struct img_docker_entry {
	char *config; /* the config's path in the archive */
	size_t n_tags;
	char **repo_tags; /* as written: "bb:1", maybe a full reference */
	size_t n_layers;
	char **layers;       /* paths in the archive, bottom first */
	char *since_ref;     /* netns-run.since.ref ("" when saved --since an untagged id), or NULL */
	img_digest since_id; /* "" when not --since */
};
struct img_docker_manifest {
	size_t n;
	struct img_docker_entry *entries;
};
int img_docker_manifest_parse(const char *text, size_t len, struct img_docker_manifest *ret, struct nr_error *err);
void img_docker_manifest_clear(struct img_docker_manifest *m);

/* rootfs.diff_ids of an image config (rootfs.type must be "layers"). */
int img_config_diff_ids(const char *text, size_t len, img_digest **ret, size_t *ret_n, struct nr_error *err);

/* --- writers: compact JSON, members in a fixed order, so the same input gives the same bytes --- */
char *img_oci_manifest_write(const struct img_oci_manifest *m);
char *img_oci_index_write(const struct img_oci_index *ix);
char *img_docker_manifest_write(const struct img_docker_manifest *m);
const char *img_oci_layout_text(void);

#endif
