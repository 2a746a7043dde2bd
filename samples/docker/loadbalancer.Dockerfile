# The load balancer image (ringway/sample-loadbalancer). Build context: the published output:
#   dotnet publish samples/LoadBalancer -c Release -o artifacts/docker/loadbalancer
#   docker build -f samples/docker/loadbalancer.Dockerfile -t ringway/sample-loadbalancer artifacts/docker/loadbalancer
# samples/docker/build-images.sh does both. BASE_IMAGE defaults to the official runtime image; where no
# registry is reachable, pass --build-arg BASE_IMAGE=ringway/dotnet-aspnet-offline:10.0
# (made by samples/docker/make-offline-base.sh).
ARG BASE_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE_IMAGE}
WORKDIR /app
COPY . /app/
# The balancer listens on 5000 (docs/contract.md).
# The base image's ASPNETCORE_HTTP_PORTS (8080) is cleared: the program binds port 5000 itself, and both set makes
# ASP.NET Core warn at every start.
ENV ASPNETCORE_HTTP_PORTS=""
EXPOSE 5000
# Runs as root on purpose: it talks to the Docker socket mounted by docker-compose.yml, which root owns.
# To avoid handing it the socket at all, point it at a socket proxy (docs/docker.md).
ENTRYPOINT ["dotnet", "Ringway.Samples.LoadBalancer.dll"]
