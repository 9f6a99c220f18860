# Build: docker build -t keelson .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Keelson.Operator -c Release -o /out

# The operator runs git and (for Kustomize) kubectl as child processes.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates curl \
 && curl -fsSLo /usr/local/bin/kubectl "https://dl.k8s.io/release/v1.32.0/bin/linux/$(dpkg --print-architecture)/kubectl" \
 && chmod +x /usr/local/bin/kubectl \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /app
USER 65532:65532
# Workstation GC with a 4 MB gen0 budget: a controller holds a few tens of MB of live objects, and the default budget
# (sized from the CPU cache) kept ~80 MB committed; see src/Keelson.Operator/Keelson.Operator.csproj for the figures.
ENV DOTNET_gcServer=0 DOTNET_GCgen0size=0x400000 HOME=/tmp
ENTRYPOINT ["dotnet", "/app/keelson.dll"]
CMD ["run"]
