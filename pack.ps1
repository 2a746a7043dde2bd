#!/usr/bin/env pwsh
# Packs the four Ringway packages (.nupkg + .snupkg) into one folder. PowerShell 7 on Windows, Linux or macOS.
#
#   ./pack.ps1                                  # version from Directory.Build.props (<VersionPrefix>), into artifacts/packages
#   ./pack.ps1 -Version 0.2.0-preview.1         # one-off version (a release tag, a CI build number)
#   ./pack.ps1 -Output /tmp/feed -Configuration Debug
#
# A thin wrapper over `dotnet pack` on purpose: CI here has no PowerShell and runs the same thing directly, from the
# repository root:
#
#   dotnet pack Ringway.slnx -c Release -o artifacts/packages
#   dotnet pack Ringway.slnx -c Release -o artifacts/packages -p:Version=0.2.0-preview.1
#
# Only the projects under src/ are packable (IsPackable is false everywhere else), so packing the solution packs
# exactly Ringway.ConsistentHashing, Ringway.LoadBalancing.AspNetCore, Ringway.Replicas.Docker and
# Ringway.Replicas.Processes. docs/packaging.md says what each package contains and how to publish them.
param(
    [string]$Version,
    [string]$Output = "artifacts/packages",
    [string]$Configuration = "Release"
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

# A relative -Output is taken from the repository root (this script's folder), wherever the script is run from.
$root = $PSScriptRoot
if (-not [System.IO.Path]::IsPathRooted($Output)) {
    $Output = Join-Path $root $Output
}

$arguments = @("pack", (Join-Path $root "Ringway.slnx"), "-c", $Configuration, "-o", $Output)
if ($Version) {
    $arguments += "-p:Version=$Version"
}

Write-Host "dotnet $($arguments -join ' ')"
& dotnet @arguments
if ($LASTEXITCODE -ne 0) {
    throw "dotnet pack failed with exit code $LASTEXITCODE"
}

Get-ChildItem -Path $Output -Filter "Ringway.*" | Sort-Object Name | ForEach-Object { Write-Host "  $($_.FullName)" }
