#!/bin/sh
# The live tier's stand-in for the TorchPod image (also the Airlock's): what the platform relies on,
# without a desktop. It makes the login from TORCHPOD_USER / TORCHPOD_PASSWORD (as the real image does,
# for PAM: xrdp and sftp), runs sshd on 22 (sftp), and answers on the GUI ports the mode serves with
# plain listeners (busybox httpd): RDP 3389, raw VNC 5900 and noVNC 7030 (the browser proxy's upstream).
set -eu
user=${TORCHPOD_USER:?TORCHPOD_USER is not set}
: "${TORCHPOD_PASSWORD:?TORCHPOD_PASSWORD is not set}"
mode=${TORCHPOD_MODE:-VNCRDP}
if ! id "$user" >/dev/null 2>&1; then
    useradd --no-create-home --home-dir "/home/$user" --shell /bin/bash --user-group "$user"
fi
echo "$user:$TORCHPOD_PASSWORD" | chpasswd
mkdir -p "/home/$user"
chown "$user:$user" "/home/$user" 2>/dev/null || true
ssh-keygen -A >/dev/null
mkdir -p /run/sshd
case $mode in *RDP*) busybox httpd -p 3389 -h /srv/novnc ;; esac
case $mode in VNC*) busybox httpd -p 5900 -h /srv/novnc && busybox httpd -p 7030 -h /srv/novnc ;; esac
echo "torchpod stand-in: user $user, mode $mode, sshd on 22"
exec /usr/sbin/sshd -D -e
