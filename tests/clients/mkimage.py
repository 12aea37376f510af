#!/usr/bin/env python3
"""Writes a small OCI image layout (one random layer) for skopeo to push: mkimage.py DIR TAG."""
import hashlib, io, json, os, sys, tarfile


def blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def main(root, tag):
    os.makedirs(os.path.join(root, "blobs", "sha256"), exist_ok=True)
    payload = os.urandom(4096)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("payload.bin")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    layer, layer_size = blob(root, buf.getvalue())
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [layer]},
        "config": {"Labels": {"built-by": "berth-tests"}, "Cmd": ["/payload.bin", "--tag", tag],
                   "Env": ["PATH=/usr/local/bin:/usr/bin"]},
        "created": "2024-01-02T03:04:05Z",
        "history": [
            {"created": "2024-01-02T03:04:05Z", "created_by": "ADD payload.bin /"},
            {"created": "2024-01-02T03:04:05Z", "created_by": f'CMD ["/payload.bin", "--tag", "{tag}"]',
             "empty_layer": True},
        ],
    }).encode()
    cfg, cfg_size = blob(root, config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg, "size": cfg_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_size}],
    }).encode()
    man, man_size = blob(root, manifest)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man, "size": man_size,
            "annotations": {"org.opencontainers.image.ref.name": tag}}]}, f)
    print(man)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
