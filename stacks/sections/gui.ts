// torchpod:gui and torchpod:mode: which desktops are served, and the image mode that serves them.
import { PLATFORM_DEFAULTS } from "../../components/common/defaults";
import { GuiConfig, TorchpodMode } from "../../components/common/settings";
import { modeFor } from "../../components/desktop/container";
import { Checker, NAMESPACE } from "../checker";

export function parseGui(c: Checker, raw: unknown): GuiConfig {
    const path = `${NAMESPACE}:gui`;
    const obj = c.object(path, raw, ["rdp", "browser", "vnc", "proxyImage"]);
    return {
        rdp: c.boolean(`${path}.rdp`, obj?.rdp, PLATFORM_DEFAULTS.gui.rdp),
        browser: c.boolean(`${path}.browser`, obj?.browser, PLATFORM_DEFAULTS.gui.browser),
        vnc: c.boolean(`${path}.vnc`, obj?.vnc, PLATFORM_DEFAULTS.gui.vnc),
        proxyImage: c.image(`${path}.proxyImage`, obj?.proxyImage, PLATFORM_DEFAULTS.gui.proxyImage),
    };
}

/** The image's `TORCHPOD_MODE`; "auto" (Pulumi.yaml's declared default) is the mode the enabled GUIs need. */
export function parseMode(c: Checker, raw: unknown, gui: GuiConfig): TorchpodMode {
    const path = `${NAMESPACE}:mode`;
    const needed = modeFor(gui);
    if (raw === undefined || raw === "auto") return needed;
    const modes: TorchpodMode[] = ["VNC", "RDP", "VNCRDP"];
    if (typeof raw !== "string" || !modes.includes(raw as TorchpodMode)) {
        c.problem(path, raw, `expected one of auto, ${modes.join(", ")} (default auto: derived from torchpod:gui, here ${needed})`);
        return needed;
    }
    // Whether the mode serves the enabled GUIs is the desktops' rule (validateDesktopArgs).
    return raw as TorchpodMode;
}
