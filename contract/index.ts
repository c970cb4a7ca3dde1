// The platform's contract, in one leaf module: what the program, its config layer, the policy pack
// and the tools must agree on. It imports nothing.
export * from "./labels";
export * from "./ports";
export * from "./paths";
export * from "./names";
export * from "./images";
