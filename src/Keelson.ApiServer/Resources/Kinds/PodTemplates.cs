using System.Text.Json.Nodes;
using Keelson.ApiServer.Schema;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>
/// Pod spec defaulting and validation, shared by pods and every pod template (Deployments, StatefulSets, Jobs...).
/// Follows kube-apiserver's SetDefaults_PodSpec / SetDefaults_Container and the Go serialisation quirks
/// (<c>resources: {}</c>, template <c>metadata.creationTimestamp: null</c>) so live objects look like a real cluster's.
/// </summary>
internal static class PodTemplates
{
    public static void DefaultTemplate(JsonObject? template)
    {
        if (template is null)
        {
            return;
        }

        // Go serialises the zero metav1.Time of an embedded ObjectMeta as null; real clusters show it, so do we.
        var meta = template.Ensure("metadata");
        if (!meta.ContainsKey("creationTimestamp"))
        {
            meta["creationTimestamp"] = null;
        }

        DefaultSpec(template.Ensure("spec"));
    }

    public static void DefaultSpec(JsonObject spec)
    {
        spec.DefaultString("restartPolicy", "Always");
        spec.DefaultString("dnsPolicy", "ClusterFirst");
        spec.Default("terminationGracePeriodSeconds", 30);
        spec.Default("securityContext", new JsonObject());
        spec.DefaultString("schedulerName", "default-scheduler");
        var hostNetwork = spec.Bool("hostNetwork") == true;
        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
        {
            foreach (var c in spec.Arr(list).Objects())
            {
                DefaultContainer(c, hostNetwork, list == "ephemeralContainers");
            }
        }

        foreach (var v in spec.Arr("volumes").Objects())
        {
            DefaultVolume(v);
        }
    }

    public static void DefaultContainer(JsonObject c, bool hostNetwork, bool ephemeral)
    {
        if (c["imagePullPolicy"] is null && c.Str("image") is { } image)
        {
            c["imagePullPolicy"] = PullPolicyFor(image);
        }

        c.DefaultString("terminationMessagePath", "/dev/termination-log");
        c.DefaultString("terminationMessagePolicy", "File");
        if (!ephemeral)
        {
            c.Default("resources", new JsonObject());
        }

        foreach (var port in c.Arr("ports").Objects())
        {
            port.DefaultString("protocol", "TCP");
            if (hostNetwork && port["hostPort"] is null && port["containerPort"] is { } containerPort)
            {
                port["hostPort"] = containerPort.DeepClone();
            }
        }

        foreach (var env in c.Arr("env").Objects())
        {
            if (env.Obj("valueFrom")?.Obj("fieldRef") is { } fieldRef)
            {
                fieldRef.DefaultString("apiVersion", "v1");
            }
        }

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (c.Obj(probe) is { } p)
            {
                p.Default("timeoutSeconds", 1);
                p.Default("periodSeconds", 10);
                p.Default("successThreshold", 1);
                p.Default("failureThreshold", 3);
                DefaultHandler(p);
            }
        }

        if (c.Obj("lifecycle") is { } lifecycle)
        {
            DefaultHandler(lifecycle.Obj("postStart"));
            DefaultHandler(lifecycle.Obj("preStop"));
        }
    }

    private static void DefaultHandler(JsonObject? handler)
    {
        if (handler?.Obj("httpGet") is { } http)
        {
            http.DefaultString("path", "/");
            http.DefaultString("scheme", "HTTP");
        }

        if (handler?.Obj("grpc") is { } grpc)
        {
            grpc.Default("service", "");
        }
    }

    /// <summary>Always for <c>:latest</c> or untagged images, IfNotPresent otherwise (digests included).</summary>
    public static string PullPolicyFor(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSlash = image.LastIndexOf('/');
        var last = lastSlash < 0 ? image : image[(lastSlash + 1)..];
        var colon = last.LastIndexOf(':');
        if (colon < 0)
        {
            return "Always";
        }

        return last[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    private static readonly string[] VolumeSources =
    [
        "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
        "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile",
        "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume",
        "scaleIO", "storageos", "csi", "ephemeral", "image",
    ];

    public static void DefaultVolume(JsonObject v)
    {
        if (!VolumeSources.Any(v.ContainsKey))
        {
            v["emptyDir"] = new JsonObject();
        }

        if (v.Obj("secret") is { } secret)
        {
            secret.Default("defaultMode", 420);
        }

        if (v.Obj("configMap") is { } configMap)
        {
            configMap.Default("defaultMode", 420);
        }

        if (v.Obj("downwardAPI") is { } downward)
        {
            downward.Default("defaultMode", 420);
            DefaultDownwardItems(downward);
        }

        if (v.Obj("hostPath") is { } hostPath)
        {
            hostPath.Default("type", "");
        }

        if (v.Obj("projected") is { } projected)
        {
            projected.Default("defaultMode", 420);
            foreach (var source in projected.Arr("sources").Objects())
            {
                if (source.Obj("serviceAccountToken") is { } token)
                {
                    token.Default("expirationSeconds", 3600);
                }

                if (source.Obj("downwardAPI") is { } d)
                {
                    DefaultDownwardItems(d);
                }
            }
        }

        if (v.Obj("ephemeral")?.Obj("volumeClaimTemplate")?.Obj("spec") is { } claim)
        {
            claim.DefaultString("volumeMode", "Filesystem");
        }
    }

    private static void DefaultDownwardItems(JsonObject downward)
    {
        foreach (var item in downward.Arr("items").Objects())
        {
            if (item.Obj("fieldRef") is { } fieldRef)
            {
                fieldRef.DefaultString("apiVersion", "v1");
            }
        }
    }

    /// <summary>What a bare Pod gets on top of pod-spec defaulting (SetDefaults_Pod and the default admission plugins).</summary>
    public static void DefaultPod(JsonObject pod, WriteContext context)
    {
        var spec = pod.Ensure("spec");
        DefaultSpec(spec);
        spec.Default("enableServiceLinks", true);
        foreach (var c in spec.Arr("containers").Objects().Concat(spec.Arr("initContainers").Objects()))
        {
            if (c.Obj("resources") is { } resources && resources.Obj("limits") is { } limits)
            {
                var requests = resources.Ensure("requests");
                foreach (var (name, value) in limits)
                {
                    requests.Default(name, value?.DeepClone());
                }
            }
        }

        if (context.Old is not null)
        {
            return;
        }

        // Admission on create: service account, priority, default tolerations.
        spec.DefaultString("serviceAccountName", "default");
        spec["serviceAccount"] = spec.Str("serviceAccountName");
        spec.Default("priority", 0);
        spec.Default("preemptionPolicy", "PreemptLowerPriority");
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        foreach (var key in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!tolerations.Objects().Any(t => t.Str("key") == key))
            {
                tolerations.Add(new JsonObject
                {
                    ["effect"] = "NoExecute",
                    ["key"] = key,
                    ["operator"] = "Exists",
                    ["tolerationSeconds"] = 300,
                });
            }
        }

        spec["tolerations"] = tolerations;
        if (spec.Bool("automountServiceAccountToken") != false)
        {
            AddServiceAccountVolume(spec, context);
        }
    }

    private static void AddServiceAccountVolume(JsonObject spec, WriteContext context)
    {
        const string mountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
        if (spec.Arr("containers").Objects().Any(c => c.Arr("volumeMounts").Objects().Any(m => m.Str("mountPath") == mountPath)))
        {
            return;
        }

        var name = "kube-api-access-" + context.Cluster.RandomSuffix(5);
        var volumes = spec["volumes"] as JsonArray ?? [];
        volumes.Add(new JsonObject
        {
            ["name"] = name,
            ["projected"] = new JsonObject
            {
                ["defaultMode"] = 420,
                ["sources"] = new JsonArray(
                    new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
                    new JsonObject
                    {
                        ["configMap"] = new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                            ["name"] = "kube-root-ca.crt",
                        },
                    },
                    new JsonObject
                    {
                        ["downwardAPI"] = new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject
                            {
                                ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                                ["path"] = "namespace",
                            }),
                        },
                    }),
            },
        });
        spec["volumes"] = volumes;
        foreach (var c in spec.Arr("containers").Objects().Concat(spec.Arr("initContainers").Objects()))
        {
            var mounts = c["volumeMounts"] as JsonArray ?? [];
            mounts.Add(new JsonObject { ["mountPath"] = mountPath, ["name"] = name, ["readOnly"] = true });
            c["volumeMounts"] = mounts;
        }
    }

    public static string QosClass(JsonObject spec)
    {
        var containers = spec.Arr("containers").Objects().ToList();
        var any = containers.Any(c => c.Obj("resources")?.Obj("requests")?.Count > 0 || c.Obj("resources")?.Obj("limits")?.Count > 0);
        if (!any)
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
            c.Obj("resources")?.Obj("limits") is { } limits && limits.ContainsKey("cpu") && limits.ContainsKey("memory") &&
            (c.Obj("resources")?.Obj("requests") is not { } requests ||
             (JsonNode.DeepEquals(requests["cpu"] ?? limits["cpu"], limits["cpu"]) && JsonNode.DeepEquals(requests["memory"] ?? limits["memory"], limits["memory"]))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    public static void ValidateSpec(string path, JsonObject? spec, List<FieldError> errors, IReadOnlyList<string>? allowedRestartPolicies = null)
    {
        if (spec is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var containers = spec.Arr("containers");
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in new[] { "initContainers", "containers" })
        {
            var i = 0;
            foreach (var c in spec.Arr(list).Objects())
            {
                var at = $"{path}.{list}[{i++}]";
                var name = c.Str("name");
                if (string.IsNullOrEmpty(name))
                {
                    errors.Add(FieldError.Required($"{at}.name"));
                }
                else
                {
                    if (Validation.LabelError(name) is { } problem)
                    {
                        errors.Add(FieldError.Invalid($"{at}.name", name, problem));
                    }

                    if (!names.Add(name))
                    {
                        errors.Add(FieldError.Duplicate($"{at}.name", name));
                    }
                }

                if (string.IsNullOrWhiteSpace(c.Str("image")))
                {
                    errors.Add(FieldError.Required($"{at}.image"));
                }

                var p = 0;
                foreach (var port in c.Arr("ports").Objects())
                {
                    var number = port.Int("containerPort");
                    if (number is null or < 1 or > 65535)
                    {
                        errors.Add(FieldError.Invalid($"{at}.ports[{p}].containerPort", port["containerPort"], "must be between 1 and 65535, inclusive"));
                    }

                    if (port.Str("protocol") is { } protocol && protocol is not ("TCP" or "UDP" or "SCTP"))
                    {
                        errors.Add(FieldError.NotSupported($"{at}.ports[{p}].protocol", port["protocol"], ["SCTP", "TCP", "UDP"]));
                    }

                    p++;
                }
            }
        }

        var restart = spec.Str("restartPolicy");
        if (allowedRestartPolicies is not null && restart is not null && !allowedRestartPolicies.Contains(restart))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", spec["restartPolicy"], allowedRestartPolicies));
        }
        else if (restart is not null && restart is not ("Always" or "OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", spec["restartPolicy"], ["Always", "Never", "OnFailure"]));
        }

        if (spec.Str("dnsPolicy") is { } dns && dns is not ("ClusterFirstWithHostNet" or "ClusterFirst" or "Default" or "None"))
        {
            errors.Add(FieldError.NotSupported($"{path}.dnsPolicy", spec["dnsPolicy"], ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]));
        }
    }

    /// <summary>Selector present, non-empty, and matching the template's labels (workload controllers).</summary>
    public static void ValidateSelector(JsonObject spec, List<FieldError> errors, bool required = true)
    {
        var selector = spec.Obj("selector");
        var labels = spec.Obj("template")?.Obj("metadata")?.Obj("labels");
        if (selector is null)
        {
            if (required)
            {
                errors.Add(FieldError.Required("spec.selector"));
            }

            return;
        }

        if ((selector.Obj("matchLabels")?.Count ?? 0) == 0 && (selector.Arr("matchExpressions")?.Count ?? 0) == 0)
        {
            errors.Add(FieldError.Invalid("spec.selector", selector, "empty selector is invalid for deployment"));
            return;
        }

        var actual = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in labels ?? [])
        {
            actual[k] = v.AsString() ?? "";
        }

        if (!Api.LabelSelector.FromObject(selector).Matches(actual))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.template.metadata.labels", Validation.GoStringMap(labels), "`selector` does not match template `labels`"));
        }
    }
}
