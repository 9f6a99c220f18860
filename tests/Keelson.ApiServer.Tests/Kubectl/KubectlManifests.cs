namespace Keelson.ApiServer.Tests.Kubectl;

/// <summary>Manifests the kubectl suite applies; the image is never pulled by the simulator, and is small on a real cluster.</summary>
internal static class KubectlManifests
{
    public const string Image = "registry.k8s.io/pause:3.9";

    public static string Workloads(string ns) => $$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: {{ns}}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: main
                image: {{Image}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: {{ns}}
        data:
          mode: fast
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
          namespace: {{ns}}
        stringData:
          password: hunter2
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: {{ns}}
        spec:
          selector: {app: web}
          ports:
          - port: 80
            targetPort: 8080
        """;

    public static string ConfigMap(string ns, string name, string data, string labels = "{}") => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{name}}
          namespace: {{ns}}
          labels: {{labels}}
        data: {{data}}
        """;
}
