# The server replica image (ringway/sample-server). Build context: the published output, not the sources:
#   dotnet publish samples/Server -c Release -o artifacts/docker/server
#   docker build -f samples/docker/server.Dockerfile -t ringway/sample-server artifacts/docker/server
# samples/docker/build-images.sh does both. BASE_IMAGE defaults to the official runtime image; where no
# registry is reachable, pass --build-arg BASE_IMAGE=ringway/dotnet-aspnet-offline:10.0
# (made by samples/docker/make-offline-base.sh).
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE_IMAGE}
WORKDIR /app
COPY . /app/
# The server listens on 5000 (docs/contract.md); SERVER_ID is set per container by the balancer.
# The base image's ASPNETCORE_HTTP_PORTS (8080) is cleared: the program binds port 5000 itself, and both set makes
# ASP.NET Core warn at every start.
ENV PORT=5000 \
    ASPNETCORE_HTTP_PORTS=""
EXPOSE 5000
# The official image's unprivileged user (uid 1654); the server needs no privileges.
USER 1654
ENTRYPOINT ["dotnet", "Ringway.Samples.Server.dll"]
