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
# Workstation GC and a 6 MB cap on the gen0 budget come from keelson.runtimeconfig.json (set in
# src/Keelson.Operator/Keelson.Operator.csproj, with the figures); DOTNET_GCgen0MaxBudget here would override the cap.
ENV DOTNET_gcServer=0 HOME=/tmp
ENTRYPOINT ["dotnet", "/app/keelson.dll"]
CMD ["run"]
