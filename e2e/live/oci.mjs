#!/usr/bin/env node
// Writes an OCI image archive (an OCI image layout in one tar file) from layer tar files, for
// `ctr -n k8s.io images import`. No registry and no image builder are needed: layers are plain,
// uncompressed tar files, so their digests are their diff IDs.
//
//   node e2e/live/oci.mjs --name REF --out FILE.tar [--entrypoint JSON] [--cmd JSON] [--user U]
//                         [--env K=V ...] [--workdir DIR] LAYER.tar...
//
// REF is the full image reference containerd stores it under (e.g. docker.io/torchpod-live/pause:3.10).
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, mkdirSync, writeFileSync, copyFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
        name: { type: "string" },
        out: { type: "string" },
        entrypoint: { type: "string" },
        cmd: { type: "string" },
        user: { type: "string" },
        env: { type: "string", multiple: true },
        workdir: { type: "string" },
    },
});
if (!values.name || !values.out || positionals.length === 0) {
    console.error("usage: oci.mjs --name REF --out FILE.tar [--entrypoint JSON] [--cmd JSON] [--user U] [--env K=V] LAYER.tar...");
    process.exit(2);
}

function sha256File(file) {
    return new Promise((resolve, reject) => {
        const h = createHash("sha256");
        createReadStream(file)
            .on("data", (d) => h.update(d))
            .on("end", () => resolve(h.digest("hex")))
            .on("error", reject);
    });
}
const sha256 = (s) => createHash("sha256").update(s).digest("hex");

const dir = mkdtempSync(join(tmpdir(), "torchpod-oci."));
try {
    const blobs = join(dir, "blobs", "sha256");
    mkdirSync(blobs, { recursive: true });
    const layers = [];
    for (const file of positionals) {
        const digest = await sha256File(file);
        copyFileSync(file, join(blobs, digest));
        layers.push({ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: `sha256:${digest}`, size: statSync(file).size });
    }
    const config = {
        architecture: "amd64",
        os: "linux",
        config: {
            Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...(values.env ?? [])],
            ...(values.entrypoint ? { Entrypoint: JSON.parse(values.entrypoint) } : {}),
            ...(values.cmd ? { Cmd: JSON.parse(values.cmd) } : {}),
            ...(values.user ? { User: values.user } : {}),
            ...(values.workdir ? { WorkingDir: values.workdir } : {}),
        },
        rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) },
        history: layers.map(() => ({ created_by: "torchpod e2e/live/images.sh" })),
    };
    const configText = JSON.stringify(config);
    writeFileSync(join(blobs, sha256(configText)), configText);
    const manifest = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
            mediaType: "application/vnd.oci.image.config.v1+json",
            digest: `sha256:${sha256(configText)}`,
            size: Buffer.byteLength(configText),
        },
        layers,
    };
    const manifestText = JSON.stringify(manifest);
    writeFileSync(join(blobs, sha256(manifestText)), manifestText);
    const index = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
            {
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                digest: `sha256:${sha256(manifestText)}`,
                size: Buffer.byteLength(manifestText),
                platform: { architecture: "amd64", os: "linux" },
                annotations: { "io.containerd.image.name": values.name, "org.opencontainers.image.ref.name": values.name.split(":").pop() },
            },
        ],
    };
    writeFileSync(join(dir, "index.json"), JSON.stringify(index));
    writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    execFileSync("tar", ["-C", dir, "-cf", `${values.out}.tmp`, "oci-layout", "index.json", "blobs"]);
    execFileSync("mv", ["-f", `${values.out}.tmp`, values.out]);
} finally {
    rmSync(dir, { recursive: true, force: true });
}
