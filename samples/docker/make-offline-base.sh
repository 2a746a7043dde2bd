#!/usr/bin/env bash
# Makes a .NET ASP.NET Core runtime base image without any image registry:
#   Debian bookworm (debootstrap, variant minbase, plus the native libraries .NET needs)
#   + this machine's .NET runtime (dotnet host, Microsoft.NETCore.App, Microsoft.AspNetCore.App)
# laid out like mcr.microsoft.com/dotnet/aspnet:10.0 (dotnet in /usr/share/dotnet, /usr/bin/dotnet symlink,
# user "app" with uid 1654, the same environment variables), then `docker import`s it.
# Skips everything when the image exists. The debootstrap result is cached as a tarball, so a rerun after
# `docker image rm` takes seconds.
#
# Environment (all optional):
#   RINGWAY_BASE_IMAGE     image to make        (default ringway/dotnet-aspnet-offline:10.0)
#   RINGWAY_DEBIAN_MIRROR  Debian mirror         (default http://deb.debian.org/debian)
#   RINGWAY_CACHE_DIR      cache folder          (default /var/cache/ringway)
#   DOTNET_ROOT            .NET install to copy  (default: the folder of the `dotnet` on PATH)
# Needs root (debootstrap), debootstrap and a Docker engine.
set -euo pipefail

image="${RINGWAY_BASE_IMAGE:-ringway/dotnet-aspnet-offline:10.0}"
mirror="${RINGWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="${RINGWAY_CACHE_DIR:-/var/cache/ringway}"
packages="ca-certificates,libc6,libgcc-s1,libstdc++6,libssl3,zlib1g,libicu72,tzdata"
log() { echo "[offline-base] $*"; }

if docker image inspect "$image" >/dev/null 2>&1; then
  log "$image exists; nothing to do"
  exit 0
fi

dotnet_root="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
runtime_version="$(ls "$dotnet_root/shared/Microsoft.NETCore.App" | sort -V | grep '^10\.' | tail -n 1)"
aspnet_version="$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | grep '^10\.' | tail -n 1)"
[[ -n "$runtime_version" && -n "$aspnet_version" ]] || { log "no .NET 10 runtime under $dotnet_root"; exit 1; }
hostfxr_version="$(ls "$dotnet_root/host/fxr" | sort -V | tail -n 1)"

# 1. Debian root file system, cached (its name changes when the package list does).
key="$(echo "bookworm $packages" | sha256sum | cut -c1-12)"
rootfs_tar="$cache/bookworm-minbase-$key.tar"
mkdir -p "$cache"
if [[ ! -s "$rootfs_tar" ]]; then
  command -v debootstrap >/dev/null || { log "debootstrap missing (apt-get install debootstrap)"; exit 1; }
  tmp="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  log "debootstrap bookworm (minbase + $packages) from $mirror"
  debootstrap --variant=minbase --include="$packages" bookworm "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -n 30 "$cache/debootstrap.log"; exit 1; }
  # What the official image has and a runtime image does not need: package caches, docs, man pages.
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/* \
         "$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/var/log/*
  # The official image's non-root user (APP_UID=1654).
  chroot "$tmp" groupadd --gid 1654 app
  chroot "$tmp" useradd --uid 1654 --gid 1654 --shell /bin/false --no-create-home app
  tar -C "$tmp" --numeric-owner -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$tmp"
  trap - EXIT
else
  log "using cached root file system $rootfs_tar"
fi

# 2. Root file system + .NET runtime -> image.
stage="$(mktemp -d "$cache/image.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
tar -C "$stage" -xf "$rootfs_tar"
mkdir -p "$stage/usr/share/dotnet/shared" "$stage/usr/share/dotnet/host/fxr"
cp -a "$dotnet_root/dotnet" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$stage/usr/share/dotnet/" 2>/dev/null \
  || cp -a "$dotnet_root/dotnet" "$stage/usr/share/dotnet/"
cp -a "$dotnet_root/host/fxr/$hostfxr_version" "$stage/usr/share/dotnet/host/fxr/"
mkdir -p "$stage/usr/share/dotnet/shared/Microsoft.NETCore.App" "$stage/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App/$runtime_version" "$stage/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$dotnet_root/shared/Microsoft.AspNetCore.App/$aspnet_version" "$stage/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
ln -sf /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
mkdir -p "$stage/app"

log "importing $image (.NET $runtime_version, ASP.NET Core $aspnet_version)"
tar -C "$stage" --numeric-owner -c . | docker import \
  --change 'ENV APP_UID=1654' \
  --change 'ENV ASPNETCORE_HTTP_PORTS=8080' \
  --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
  --change "ENV DOTNET_VERSION=$runtime_version" \
  --change "ENV ASPNET_VERSION=$aspnet_version" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'WORKDIR /app' \
  --change 'CMD ["bash"]' \
  --message "Ringway offline base: Debian bookworm minbase + .NET $runtime_version / ASP.NET Core $aspnet_version" \
  - "$image" >/dev/null
docker image ls "$image"
