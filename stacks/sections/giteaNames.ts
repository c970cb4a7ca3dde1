// Names MLab's Gitea refuses: users and project owners share Gitea's one namespace of names.
import { MLAB_ADMIN_USER } from "@torchpod/contract";

/** What a name Gitea refuses (as a user or an organisation) is told. */
export const GITEA_RESERVED_EXPECTED = `expected a name MLab's Gitea accepts (not one it reserves, such as admin, api, explore, org, repo, user, v2, names ending in .keys/.gpg/.rss/.atom/.png, nor MLab's admin "${MLAB_ADMIN_USER}")`;
