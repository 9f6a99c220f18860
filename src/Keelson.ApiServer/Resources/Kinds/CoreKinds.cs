using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Keelson.ApiServer.Api.Tables;
using Keelson.ApiServer.Schema;
using static Keelson.ApiServer.Resources.Kinds.Columns;

namespace Keelson.ApiServer.Resources.Kinds;

/// <summary>Behaviour of the core/v1 kinds.</summary>
internal static class CoreKinds
{
    public static readonly KindBehavior Namespace = new()
    {
        Default = (o, _) =>
        {
            // Upstream stamps the immutable name label on every write.
            var meta = o.Ensure("metadata");
            var name = meta.Str("name");
            if (name is not null)
            {
                meta.Ensure("labels")["kubernetes.io/metadata.name"] = name;
            }
        },
        PrepareForCreate = (o, _) =>
        {
            o.Ensure("spec")["finalizers"] = new JsonArray("kubernetes");
            o["status"] = new JsonObject { ["phase"] = "Active" };
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Label, errors);
        },
        FieldLabels = Fields(("status.phase", o => o.Obj("status").Str("phase"))),
        Columns = [Text("Status", o => o.Obj("status").Str("phase"), description: "The status of the namespace"), Age],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior ConfigMap = new()
    {
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            Validation.ValidateConfigKeys("data", o.Obj("data"), errors);
            Validation.ValidateConfigKeys("binaryData", o.Obj("binaryData"), errors);
            ValidateImmutableData(o, old, errors, "data", "binaryData");
        },
        Columns = [Number("Data", o => Cells.Count(o["data"]) + Cells.Count(o["binaryData"]), description: "Number of data entries"), Age],
        TopLevelFields = Top("data", "binaryData", "immutable"),
    };

    public static readonly KindBehavior Secret = new()
    {
        Default = (o, _) =>
        {
            o.DefaultString("type", "Opaque");

            // stringData is write-only: merged into data (base64) and never stored.
            if (o.Obj("stringData") is { } stringData)
            {
                var data = o.Ensure("data");
                foreach (var (key, value) in stringData)
                {
                    data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value.AsString() ?? ""));
                }

                o.Remove("stringData");
            }
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            Validation.ValidateConfigKeys("data", o.Obj("data"), errors);
            foreach (var (key, value) in o.Obj("data") ?? [])
            {
                var text = value.AsString();
                if (text is null || !IsBase64(text))
                {
                    errors.Add(FieldError.Invalid($"data[{key}]", "<secret contents redacted>", "must be valid base64"));
                }
            }

            ValidateImmutableData(o, old, errors, "data");
            if (old is not null && old.Str("type") != o.Str("type"))
            {
                errors.Add(FieldError.Invalid("type", o.Str("type") ?? "", "field is immutable"));
            }

            if (o.Str("type") == "kubernetes.io/service-account-token" && o.Obj("metadata")?.Obj("annotations")?.Str("kubernetes.io/service-account.name") is null)
            {
                errors.Add(FieldError.Required("metadata.annotations[kubernetes.io/service-account.name]"));
            }
        },
        FieldLabels = Fields(("type", o => o.Str("type"))),
        Columns = [Text("Type", o => o.Str("type"), description: "The type of the secret"), Number("Data", o => Cells.Count(o["data"]), description: "Number of data entries"), Age],
        TopLevelFields = Top("data", "stringData", "type", "immutable"),
    };

    public static readonly KindBehavior ServiceAccount = new()
    {
        Validate = (o, old, errors) => Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors),
        Columns = [Number("Secrets", o => Cells.Count(o["secrets"]), description: "Number of secrets"), Age],
        TopLevelFields = Top("secrets", "imagePullSecrets", "automountServiceAccountToken"),
    };

    public static readonly KindBehavior Service = new()
    {
        Default = DefaultService,
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() },
        Validate = ValidateService,
        FieldLabels = Fields(("spec.clusterIP", o => o.Obj("spec").Str("clusterIP")), ("spec.type", o => o.Obj("spec").Str("type"))),
        Columns =
        [
            Text("Type", o => o.Obj("spec").Str("type"), description: "The type of the service"),
            Text("Cluster-IP", o => Cells.OrNone(o.Obj("spec").Str("clusterIP")), description: "The cluster IP of the service"),
            Text("External-IP", ExternalIps, description: "The external IPs of the service"),
            Text("Port(s)", ServicePorts, description: "The ports of the service"),
            Age,
            Text("Selector", o => Cells.MapSelector(o.Obj("spec")?.Obj("selector")), 1, "The selector of the service"),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior Pod = new()
    {
        Default = PodTemplates.DefaultPod,
        PrepareForCreate = (o, _) => o["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["qosClass"] = PodTemplates.QosClass(o.Obj("spec") ?? []),
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            PodTemplates.ValidateSpec("spec", o.Obj("spec"), errors);
        },
        ValidateUpdate = ValidatePodUpdate,
        FieldLabels = Fields(
            ("spec.nodeName", o => o.Obj("spec").Str("nodeName")),
            ("spec.restartPolicy", o => o.Obj("spec").Str("restartPolicy")),
            ("spec.schedulerName", o => o.Obj("spec").Str("schedulerName")),
            ("spec.serviceAccountName", o => o.Obj("spec").Str("serviceAccountName")),
            ("spec.hostNetwork", o => o.Obj("spec").Bool("hostNetwork") == true ? "true" : "false"),
            ("status.phase", o => o.Obj("status").Str("phase")),
            ("status.podIP", o => o.Obj("status").Str("podIP")),
            ("status.nominatedNodeName", o => o.Obj("status").Str("nominatedNodeName"))),
        Columns =
        [
            Text("Ready", o =>
            {
                var statuses = o.Obj("status").Arr("containerStatuses").Objects().ToList();
                var total = o.Obj("spec").Arr("containers")?.Count ?? 0;
                return $"{statuses.Count(s => s.Bool("ready") == true)}/{total}";
            }, description: "The aggregate readiness state of this pod for accepting traffic."),
            Text("Status", PodStatus, description: "The aggregate status of the containers in this pod."),
            Text("Restarts", o => Cells.Num(o.Obj("status").Arr("containerStatuses").Objects().Sum(s => s.Int("restartCount") ?? 0)), description: "The number of times the containers in this pod have been restarted"),
            Age,
            Text("IP", o => Cells.OrNone(o.Obj("status").Str("podIP")), 1, "The IP address assigned to the pod"),
            Text("Node", o => Cells.OrNone(o.Obj("spec").Str("nodeName")), 1, "The name of the node which the pod is assigned to"),
            Text("Nominated Node", o => Cells.OrNone(o.Obj("status").Str("nominatedNodeName")), 1, "The name of the node which the pod is nominated to"),
            Text("Readiness Gates", o => o.Obj("spec").Arr("readinessGates") is { Count: > 0 } gates ? $"0/{gates.Count}" : "<none>", 1, "The readiness gates of the pod"),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior PersistentVolumeClaim = new()
    {
        Default = (o, context) =>
        {
            var spec = o.Ensure("spec");
            spec.DefaultString("volumeMode", "Filesystem");
            if (context.Old is null && spec["storageClassName"] is null && context.Cluster.DefaultStorageClass() is { } storageClass)
            {
                spec["storageClassName"] = storageClass;
            }
        },
        PrepareForCreate = (o, _) => o["status"] = new JsonObject { ["phase"] = "Pending" },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors);
            var spec = o.Obj("spec");
            if (spec.Arr("accessModes") is not { Count: > 0 })
            {
                errors.Add(FieldError.Required("spec.accessModes", "at least 1 access mode is required"));
            }

            if (spec?.Obj("resources")?.Obj("requests")?["storage"] is null)
            {
                errors.Add(FieldError.Required("spec.resources[storage]"));
            }
        },
        ValidateUpdate = ValidateClaimUpdate,
        Columns =
        [
            Text("Status", o => o.Obj("status").Str("phase"), description: "The phase of the claim"),
            Text("Volume", o => o.Obj("spec").Str("volumeName") ?? "", description: "The name of the volume"),
            Text("Capacity", o => o.Obj("status")?.Obj("capacity").Str("storage") ?? "", description: "The capacity of the claim"),
            Text("Access Modes", o => string.Join(",", o.Obj("status").Arr("accessModes")?.Select(m => AccessModeShort(m.AsString())) ?? []), description: "The access modes"),
            Text("StorageClass", o => Cells.OrNone(o.Obj("spec").Str("storageClassName")), description: "The storage class"),
            Text("VolumeAttributesClass", o => Cells.OrNone(o.Obj("spec").Str("volumeAttributesClassName")), description: "The volume attributes class"),
            Age,
            Text("VolumeMode", o => o.Obj("spec").Str("volumeMode"), 1, "The volume mode"),
        ],
        TopLevelFields = Top("spec", "status"),
    };

    public static readonly KindBehavior Endpoints = new()
    {
        Default = (o, _) =>
        {
            foreach (var subset in o.Arr("subsets").Objects())
            {
                foreach (var port in subset.Arr("ports").Objects())
                {
                    port.DefaultString("protocol", "TCP");
                }
            }
        },
        Validate = (o, old, errors) => Validation.ValidateMetadata(o, old, NameRule.Subdomain, errors),
        Columns =
        [
            Text("Endpoints", o =>
            {
                var items = o.Arr("subsets").Objects().SelectMany(s =>
                    s.Arr("addresses").Objects().SelectMany(a => (s.Arr("ports")?.Count ?? 0) == 0
                        ? [a.Str("ip") ?? ""]
                        : s.Arr("ports").Objects().Select(p => $"{a.Str("ip")}:{p.Int("port")}"))).ToList();
                return items.Count == 0 ? "<none>" : string.Join(",", items.Take(3)) + (items.Count > 3 ? $" + {items.Count - 3} more..." : "");
            }, description: "Endpoints of the service"),
            Age,
        ],
        TopLevelFields = Top("subsets"),
    };

    public static readonly KindBehavior Event = new()
    {
        Default = (o, _) =>
        {
            o.Default("reportingComponent", "");
            o.Default("reportingInstance", "");
            o.Default("source", new JsonObject());
            if (!o.ContainsKey("eventTime"))
            {
                o["eventTime"] = null;
            }

            if (!o.ContainsKey("firstTimestamp"))
            {
                o["firstTimestamp"] = null;
            }

            if (!o.ContainsKey("lastTimestamp"))
            {
                o["lastTimestamp"] = null;
            }
        },
        Validate = (o, old, errors) =>
        {
            Validation.ValidateMetadata(o, old, NameRule.None, errors);
            if (o.Obj("involvedObject") is null)
            {
                errors.Add(FieldError.Required("involvedObject"));
            }
        },
        FieldLabels = Fields(
            ("involvedObject.kind", o => o.Obj("involvedObject").Str("kind")),
            ("involvedObject.namespace", o => o.Obj("involvedObject").Str("namespace")),
            ("involvedObject.name", o => o.Obj("involvedObject").Str("name")),
            ("involvedObject.uid", o => o.Obj("involvedObject").Str("uid")),
            ("involvedObject.apiVersion", o => o.Obj("involvedObject").Str("apiVersion")),
            ("involvedObject.resourceVersion", o => o.Obj("involvedObject").Str("resourceVersion")),
            ("involvedObject.fieldPath", o => o.Obj("involvedObject").Str("fieldPath")),
            ("reason", o => o.Str("reason")),
            ("reportingComponent", o => o.Str("reportingComponent")),
            ("source", o => o.Obj("source").Str("component")),
            ("type", o => o.Str("type"))),
        Columns =
        [
            Timed("Last Seen", (o, now) => Cells.Since(o.Str("lastTimestamp") ?? o.Str("eventTime") ?? o.Obj("metadata").Str("creationTimestamp"), now), description: "Time since the event was last seen"),
            Text("Type", o => o.Str("type"), description: "Type of this event"),
            Text("Reason", o => o.Str("reason"), description: "Reason for this event"),
            Text("Object", o => $"{o.Obj("involvedObject").Str("kind")?.ToLowerInvariant()}/{o.Obj("involvedObject").Str("name")}", description: "The object this event is about"),
            Text("Message", o => o.Str("message"), description: "The event message"),
        ],
        TopLevelFields = Top("involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
            "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"),
    };

    /// <summary>
    /// The Pod fields an update may change (core/validation ValidatePodUpdate, v1.32 with in-place resize off, its
    /// default): upstream lists them in the Forbidden message.
    /// </summary>
    private const string UpdatablePodFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    /// <summary>core/validation ValidatePodUpdate: a Pod's spec is fixed but for images, a shorter deadline and added tolerations.</summary>
    private static void ValidatePodUpdate(JsonObject o, JsonObject old, List<FieldError> errors)
    {
        var spec = o.Obj("spec") ?? [];
        var oldSpec = old.Obj("spec") ?? [];
        foreach (var list in new[] { "containers", "initContainers" })
        {
            var containers = spec.Arr(list).Objects().ToList();
            if (containers.Count != oldSpec.Arr(list).Objects().Count())
            {
                errors.Add(FieldError.Forbidden($"spec.{list}", "pod updates may not add or remove containers"));
                return;
            }

            for (var i = 0; i < containers.Count; i++)
            {
                var image = containers[i].Str("image") ?? "";
                if (image.Length == 0)
                {
                    errors.Add(FieldError.Required($"spec.{list}[{i}].image"));
                }
                else if (image.Trim().Length != image.Length)
                {
                    errors.Add(FieldError.Invalid($"spec.{list}[{i}].image", image, "must not have leading or trailing whitespace"));
                }
            }
        }

        // activeDeadlineSeconds may be set, or lowered, but never raised or removed.
        if (spec["activeDeadlineSeconds"] is { } deadline)
        {
            var seconds = spec.Int("activeDeadlineSeconds");
            if (seconds is not (>= 0 and <= int.MaxValue))
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", deadline, "must be between 0 and 2147483647, inclusive"));
                return;
            }

            if (oldSpec.Int("activeDeadlineSeconds") is { } oldSeconds && oldSeconds < seconds)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value"));
                return;
            }
        }
        else if (oldSpec["activeDeadlineSeconds"] is not null)
        {
            errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", (JsonNode?)null, "must not update from a positive integer to nil value"));
        }

        // Tolerations may only be added; an existing one may change nothing but its tolerationSeconds.
        var tolerations = spec.Arr("tolerations").Objects().ToList();
        foreach (var existing in oldSpec.Arr("tolerations").Objects())
        {
            if (!tolerations.Any(t => SameToleration(existing, t)))
            {
                errors.Add(FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
                break;
            }
        }

        var munged = (JsonObject)spec.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            var oldContainers = oldSpec.Arr(list).Objects().ToList();
            var i = 0;
            foreach (var container in munged.Arr(list).Objects())
            {
                container["image"] = oldContainers[i++]["image"]?.DeepClone();
            }
        }

        foreach (var field in new[] { "activeDeadlineSeconds", "tolerations", "schedulingGates" })
        {
            munged[field] = oldSpec[field]?.DeepClone();
        }

        if (oldSpec.Int("terminationGracePeriodSeconds") is < 0 && munged.Int("terminationGracePeriodSeconds") == 1)
        {
            munged["terminationGracePeriodSeconds"] = oldSpec["terminationGracePeriodSeconds"]?.DeepClone();
        }

        if (!Validation.SemanticEquals(munged, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec",
                $"pod updates may not change fields other than {UpdatablePodFields}\n{Validation.SpecDiff("core.PodSpec", oldSpec, munged)}"));
        }
    }

    private static bool SameToleration(JsonObject existing, JsonObject candidate)
    {
        var a = (JsonObject)existing.DeepClone();
        var b = (JsonObject)candidate.DeepClone();
        a.Remove("tolerationSeconds");
        b.Remove("tolerationSeconds");
        return Validation.SemanticEquals(a, b);
    }

    /// <summary>
    /// core/validation ValidatePersistentVolumeClaimUpdate (v1.32): a claim's spec is fixed after creation, except its
    /// storage request once bound, its volumeAttributesClassName, a volumeName set once (binding), and a storage class
    /// set once on a claim created without one (retroactive default class).
    /// </summary>
    private static void ValidateClaimUpdate(JsonObject o, JsonObject old, List<FieldError> errors)
    {
        var spec = (JsonObject?)o.Obj("spec")?.DeepClone() ?? [];
        var oldSpec = (JsonObject?)old.Obj("spec")?.DeepClone() ?? [];
        if (oldSpec.Str("volumeName") is not { Length: > 0 })
        {
            oldSpec["volumeName"] = spec["volumeName"]?.DeepClone();
        }

        if (oldSpec["storageClassName"] is null && oldSpec.Str("volumeName") is not { Length: > 0 })
        {
            oldSpec["storageClassName"] = spec["storageClassName"]?.DeepClone();
        }

        oldSpec["volumeAttributesClassName"] = spec["volumeAttributesClassName"]?.DeepClone();
        if (o.Obj("status").Str("phase") == "Bound" && spec.Obj("resources")?.Obj("requests") is { } requests)
        {
            requests["storage"] = oldSpec.Obj("resources")?.Obj("requests")?["storage"]?.DeepClone();
        }

        if (!Validation.SemanticEquals(spec, oldSpec))
        {
            errors.Add(FieldError.Forbidden("spec",
                $"spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n{Validation.SpecDiff("core.PersistentVolumeClaimSpec", oldSpec, spec)}"));
        }

        // A request may come down again only while it stays above what was provisioned (recovery from a failed
        // expansion, RecoverVolumeExpansionFailure, on by default since v1.32).
        var size = Bytes(o.Obj("spec")?.Obj("resources")?.Obj("requests")?["storage"]);
        var oldSize = Bytes(old.Obj("spec")?.Obj("resources")?.Obj("requests")?["storage"]);
        var capacity = Bytes(old.Obj("status")?.Obj("capacity")?["storage"]) ?? 0;
        if (size < oldSize && size <= capacity)
        {
            errors.Add(FieldError.Forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
        }
    }

    /// <summary>A resource quantity (<c>1Gi</c>, <c>500M</c>, <c>1.5e3</c>) as a number, or null when it is not one.</summary>
    private static decimal? Bytes(JsonNode? quantity)
    {
        if (quantity?.AsString() is not { Length: > 0 } text)
        {
            return null;
        }

        (string Suffix, decimal Factor)[] suffixes =
        [
            ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
            ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
            ("n", 1e-9m), ("u", 1e-6m), ("m", 1e-3m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
        ];
        var factor = 1m;
        foreach (var (suffix, value) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                text = text[..^suffix.Length];
                factor = value;
                break;
            }
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number)
            ? number * factor
            : null;
    }

    private static void ValidateImmutableData(JsonObject o, JsonObject? old, List<FieldError> errors, params string[] fields)
    {
        if (old?.Bool("immutable") != true)
        {
            return;
        }

        if (o.Bool("immutable") != true)
        {
            errors.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
        }

        foreach (var field in fields)
        {
            if (!JsonNode.DeepEquals(o[field], old[field]))
            {
                errors.Add(FieldError.Forbidden(field, "field is immutable when `immutable` is set"));
            }
        }
    }

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }

    private static void DefaultService(JsonObject o, WriteContext context)
    {
        var spec = o.Ensure("spec");
        spec.DefaultString("type", "ClusterIP");
        spec.DefaultString("sessionAffinity", "None");
        if (spec.Str("sessionAffinity") == "ClientIP")
        {
            var clientIp = spec.Ensure("sessionAffinityConfig").Ensure("clientIP");
            clientIp.Default("timeoutSeconds", 10800);
        }

        var type = spec.Str("type");
        var ports = spec.Arr("ports").Objects().ToList();
        foreach (var port in ports)
        {
            port.DefaultString("protocol", "TCP");
            if (port["targetPort"] is null && port["port"] is { } number)
            {
                port["targetPort"] = number.DeepClone();
            }
        }

        if (type == "ExternalName")
        {
            return;
        }

        spec.DefaultString("internalTrafficPolicy", "Cluster");
        var oldSpec = context.Old?.Obj("spec");

        // Allocated values survive updates that leave them out (upstream patches them in from the old object).
        if (oldSpec is not null && string.IsNullOrEmpty(spec.Str("clusterIP")) && oldSpec.Str("clusterIP") is { } oldIp)
        {
            spec["clusterIP"] = oldIp;
            spec.Default("clusterIPs", oldSpec["clusterIPs"]?.DeepClone());
            spec.Default("ipFamilies", oldSpec["ipFamilies"]?.DeepClone());
            spec.Default("ipFamilyPolicy", oldSpec["ipFamilyPolicy"]?.DeepClone());
        }

        if (string.IsNullOrEmpty(spec.Str("clusterIP")))
        {
            spec["clusterIP"] = context.Cluster.AllocateClusterIp(!context.DryRun);
        }

        spec.Default("clusterIPs", new JsonArray(spec.Str("clusterIP")));
        var headless = spec.Str("clusterIP") == "None";
        spec.Default("ipFamilies", new JsonArray("IPv4"));
        spec.Default("ipFamilyPolicy", headless && spec.Obj("selector") is not { Count: > 0 } ? "RequireDualStack" : "SingleStack");
        if (type is "NodePort" or "LoadBalancer")
        {
            spec.DefaultString("externalTrafficPolicy", "Cluster");
            foreach (var port in ports)
            {
                if (port["nodePort"] is null)
                {
                    var previous = oldSpec.Arr("ports").Objects().FirstOrDefault(p =>
                        p.Int("port") == port.Int("port") && (p.Str("protocol") ?? "TCP") == (port.Str("protocol") ?? "TCP"));
                    port["nodePort"] = previous?.Int("nodePort") is { } kept ? kept : context.Cluster.AllocateNodePort(!context.DryRun);
                }
            }
        }

        if (type == "LoadBalancer")
        {
            spec.Default("allocateLoadBalancerNodePorts", true);
            if (spec.Str("externalTrafficPolicy") == "Local" && spec["healthCheckNodePort"] is null)
            {
                spec["healthCheckNodePort"] = oldSpec?.Int("healthCheckNodePort") ?? context.Cluster.AllocateNodePort(!context.DryRun);
            }
        }
    }

    private static void ValidateService(JsonObject o, JsonObject? old, List<FieldError> errors)
    {
        Validation.ValidateMetadata(o, old, NameRule.Label, errors);
        var spec = o.Obj("spec");
        var type = spec.Str("type");
        if (type is not null and not ("ClusterIP" or "NodePort" or "LoadBalancer" or "ExternalName"))
        {
            errors.Add(FieldError.NotSupported("spec.type", spec!["type"], ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
        }

        var ports = spec.Arr("ports");
        if (type != "ExternalName" && spec.Str("clusterIP") != "None" && (ports is null || ports.Count == 0))
        {
            errors.Add(FieldError.Required("spec.ports"));
        }

        if (type == "ExternalName" && string.IsNullOrEmpty(spec.Str("externalName")))
        {
            errors.Add(FieldError.Required("spec.externalName"));
        }

        var i = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var port in ports.Objects())
        {
            var at = $"spec.ports[{i}]";
            if (port.Int("port") is not (>= 1 and <= 65535))
            {
                errors.Add(FieldError.Invalid($"{at}.port", port["port"], "must be between 1 and 65535, inclusive"));
            }

            if ((ports?.Count ?? 0) > 1 && string.IsNullOrEmpty(port.Str("name")))
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (port.Str("name") is { Length: > 0 } name && !names.Add(name))
            {
                errors.Add(FieldError.Duplicate($"{at}.name", name));
            }

            if (port.Str("protocol") is { } protocol && protocol is not ("TCP" or "UDP" or "SCTP"))
            {
                errors.Add(FieldError.NotSupported($"{at}.protocol", port["protocol"], ["SCTP", "TCP", "UDP"]));
            }

            i++;
        }

        var oldIp = old?.Obj("spec").Str("clusterIP");
        if (oldIp is { Length: > 0 } && spec.Str("clusterIP") is { } newIp && newIp != oldIp && type != "ExternalName" && old?.Obj("spec").Str("type") != "ExternalName")
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.clusterIPs[0]", $"[]string{{{FieldError.Quote(newIp)}}}", "may not change once set"));
        }
    }

    private static string ExternalIps(JsonObject o)
    {
        var spec = o.Obj("spec");
        var ips = new List<string>();
        if (spec.Str("type") == "ExternalName")
        {
            return spec.Str("externalName") ?? "<none>";
        }

        ips.AddRange(spec.Arr("externalIPs")?.Select(x => x.AsString() ?? "") ?? []);
        if (spec.Str("type") == "LoadBalancer")
        {
            ips.AddRange(o.Obj("status")?.Obj("loadBalancer").Arr("ingress").Objects().Select(i => i.Str("ip") ?? i.Str("hostname") ?? "") ?? []);
            if (ips.Count == 0)
            {
                return "<pending>";
            }
        }

        return ips.Count == 0 ? "<none>" : string.Join(",", ips);
    }

    private static string ServicePorts(JsonObject o)
    {
        var parts = o.Obj("spec").Arr("ports").Objects().Select(p =>
        {
            var text = p.Int("port")?.ToString(CultureInfo.InvariantCulture) ?? "";
            if (p.Int("nodePort") is { } nodePort)
            {
                text += ":" + nodePort.ToString(CultureInfo.InvariantCulture);
            }

            return $"{text}/{p.Str("protocol") ?? "TCP"}";
        }).ToList();
        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }

    private static string PodStatus(JsonObject o)
    {
        if (o.Obj("metadata")?["deletionTimestamp"] is not null)
        {
            return "Terminating";
        }

        var status = o.Obj("status");
        var reason = status.Str("reason") ?? status.Str("phase") ?? "Unknown";
        foreach (var s in status.Arr("containerStatuses").Objects())
        {
            if (s.Obj("state")?.Obj("waiting").Str("reason") is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
        }

        return reason;
    }

    private static string AccessModeShort(string? mode) => mode switch
    {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        _ => mode ?? "",
    };
}
