// Entry of the torchpod-lockdown CrossGuard pack (`pulumi preview --policy-pack policy`).
// Constructing the PolicyPack starts the Analyzer gRPC server and prints its port: nothing else here
// but the request decoding it uses (see transport/structDecoder.ts).
import { PolicyPack } from "@pulumi/policy";
import { PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies } from "./policies";
import { installStructDecoder } from "./transport/structDecoder";

installStructDecoder();

new PolicyPack(PACK_NAME, {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    description: PACK_DESCRIPTION,
    displayName: "TorchPod lock-down",
});
