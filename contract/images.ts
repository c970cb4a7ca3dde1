// Container image references: one parser for the config layer (pinning), the components (version
// labels) and the policy pack (pinned-images).

export interface ImageReference {
    /** Registry host (with port) when the reference names one, e.g. `registry.example:5000`. */
    readonly registry?: string;
    /** The repository path without registry, e.g. `gitea/gitea`. */
    readonly repository: string;
    readonly tag?: string;
    /** `sha256:<hex>` when the reference is pinned by digest. */
    readonly digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const REGISTRY = /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+:\d+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+:\d+)(?::\d+)?$/;

/** Splits `[registry/]repository[:tag][@digest]`; a colon before the last slash belongs to the registry's port. */
export function parseImage(image: string): ImageReference {
    const at = image.indexOf("@");
    const name = at >= 0 ? image.slice(0, at) : image;
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const path = colon > slash ? name.slice(0, colon) : name;
    const tag = colon > slash ? name.slice(colon + 1) : undefined;
    const parts = path.split("/");
    const hasRegistry = parts.length > 1 && REGISTRY.test(parts[0]);
    return {
        ...(hasRegistry ? { registry: parts[0] } : {}),
        repository: (hasRegistry ? parts.slice(1) : parts).join("/"),
        ...(tag !== undefined ? { tag } : {}),
        ...(digest !== undefined ? { digest } : {}),
    };
}

/** Why `image` is not pinned (`repository:tag`, tag not `latest`, or a sha256 digest), or undefined when it is. */
export function checkPinnedImage(image: string): string | undefined {
    const expected = 'expected a pinned image "repository:tag" or "repository@sha256:<digest>" (not "latest")';
    const ref = parseImage(image);
    if (ref.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(ref.digest)) return expected;
    if (ref.repository === "" || !ref.repository.split("/").every((p) => PATH_COMPONENT.test(p))) return expected;
    if (ref.tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(ref.tag)) return expected;
    if (ref.tag !== undefined && ref.tag.toLowerCase() === "latest" && ref.digest === undefined) return expected;
    if (ref.tag === undefined && ref.digest === undefined) return expected;
    return undefined;
}

/** The version an image runs, for the `app.kubernetes.io/version` label: its tag, else the digest's first 12 hex digits. */
export function imageVersion(image: string): string {
    const ref = parseImage(image);
    if (ref.tag !== undefined) return ref.tag;
    return ref.digest !== undefined ? ref.digest.replace(/^sha256:/, "").slice(0, 12) : "";
}
