namespace Keelson.ApiServer.Api.Protobuf;

/// <summary>
/// Protobuf field layouts of the built-in kinds kubectl's typed clients send as
/// <c>application/vnd.kubernetes.protobuf</c> (the <c>kubectl create</c> generators, <c>kubectl auth can-i</c>).
/// Field numbers are wire-format facts from k8s.io/api's generated.proto, checked against request bodies captured
/// from kubectl 1.32. Syntax per field: <c>number name [type]</c>; types: string (default), int, bool, bytes, time,
/// quantity, intstr, raw, map (string to string), map:bytes, map:quantity, a message name; a trailing [] repeats,
/// a trailing * marks a pointer (kept even when zero), "inline" embeds the message's fields in the parent.
/// </summary>
internal static class ProtobufSchemas
{
    public static readonly IReadOnlyDictionary<string, string> Messages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["TypeMeta"] = "1 apiVersion; 2 kind",
        ["ObjectMeta"] = "1 name; 2 generateName; 3 namespace; 5 uid; 6 resourceVersion; 7 generation int; 8 creationTimestamp time; 9 deletionTimestamp time; 10 deletionGracePeriodSeconds int*; 11 labels map; 12 annotations map; 13 ownerReferences OwnerReference[]; 14 finalizers string[]",
        ["OwnerReference"] = "1 kind; 3 name; 4 uid; 5 apiVersion; 6 controller bool*; 7 blockOwnerDeletion bool*",
        ["LabelSelector"] = "1 matchLabels map; 2 matchExpressions LabelSelectorRequirement[]",
        ["LabelSelectorRequirement"] = "1 key; 2 operator; 3 values string[]",
        ["LocalObjectReference"] = "1 name",
        ["ObjectReference"] = "1 kind; 2 namespace; 3 name; 4 uid; 5 apiVersion; 6 resourceVersion; 7 fieldPath",

        // core/v1
        ["Namespace"] = "1 metadata ObjectMeta; 2 spec NamespaceSpec",
        ["NamespaceSpec"] = "1 finalizers string[]",
        ["ConfigMap"] = "1 metadata ObjectMeta; 2 data map; 3 binaryData map:bytes; 4 immutable bool*",
        ["Secret"] = "1 metadata ObjectMeta; 2 data map:bytes; 3 type; 4 stringData map; 5 immutable bool*",
        ["ServiceAccount"] = "1 metadata ObjectMeta; 2 secrets ObjectReference[]; 3 imagePullSecrets LocalObjectReference[]; 4 automountServiceAccountToken bool*",
        ["Service"] = "1 metadata ObjectMeta; 2 spec ServiceSpec",
        ["ServiceSpec"] = "1 ports ServicePort[]; 2 selector map; 3 clusterIP; 4 type; 5 externalIPs string[]; 7 sessionAffinity; 8 loadBalancerIP; 9 loadBalancerSourceRanges string[]; 10 externalName; 11 externalTrafficPolicy; 12 healthCheckNodePort int; 13 publishNotReadyAddresses bool; 18 clusterIPs string[]",
        ["ServicePort"] = "1 name; 2 protocol; 3 port int; 4 targetPort intstr; 5 nodePort int; 6 appProtocol string*",
        ["Pod"] = "1 metadata ObjectMeta; 2 spec PodSpec",
        ["PodTemplateSpec"] = "1 metadata ObjectMeta; 2 spec PodSpec",
        ["PodSpec"] = "1 volumes Volume[]; 2 containers Container[]; 3 restartPolicy; 4 terminationGracePeriodSeconds int*; 5 activeDeadlineSeconds int*; 6 dnsPolicy; 7 nodeSelector map; 8 serviceAccountName; 9 serviceAccount; 10 nodeName; 11 hostNetwork bool; 12 hostPID bool; 13 hostIPC bool; 15 imagePullSecrets LocalObjectReference[]; 16 hostname; 17 subdomain; 19 schedulerName; 20 initContainers Container[]; 21 automountServiceAccountToken bool*; 24 priorityClassName; 25 priority int*; 30 enableServiceLinks bool*",
        ["Container"] = "1 name; 2 image; 3 command string[]; 4 args string[]; 5 workingDir; 6 ports ContainerPort[]; 7 env EnvVar[]; 8 resources ResourceRequirements; 9 volumeMounts VolumeMount[]; 13 terminationMessagePath; 14 imagePullPolicy; 16 stdin bool; 17 stdinOnce bool; 18 tty bool; 20 terminationMessagePolicy",
        ["ContainerPort"] = "1 name; 2 hostPort int; 3 containerPort int; 4 protocol; 5 hostIP",
        ["EnvVar"] = "1 name; 2 value",
        ["ResourceRequirements"] = "1 limits map:quantity; 2 requests map:quantity",
        ["VolumeMount"] = "1 name; 2 readOnly bool; 3 mountPath; 4 subPath",
        ["Volume"] = "1 name",

        // apps/v1
        ["Deployment"] = "1 metadata ObjectMeta; 2 spec DeploymentSpec",
        ["DeploymentSpec"] = "1 replicas int*; 2 selector LabelSelector*; 3 template PodTemplateSpec; 4 strategy DeploymentStrategy; 5 minReadySeconds int; 6 revisionHistoryLimit int*; 7 paused bool; 9 progressDeadlineSeconds int*",
        ["DeploymentStrategy"] = "1 type; 2 rollingUpdate RollingUpdateDeployment*",
        ["RollingUpdateDeployment"] = "1 maxUnavailable intstr*; 2 maxSurge intstr*",

        // batch/v1
        ["Job"] = "1 metadata ObjectMeta; 2 spec JobSpec",
        ["JobSpec"] = "1 parallelism int*; 2 completions int*; 3 activeDeadlineSeconds int*; 4 selector LabelSelector*; 5 manualSelector bool*; 6 template PodTemplateSpec; 7 backoffLimit int*; 8 ttlSecondsAfterFinished int*; 9 completionMode string*; 10 suspend bool*",
        ["CronJob"] = "1 metadata ObjectMeta; 2 spec CronJobSpec",
        ["CronJobSpec"] = "1 schedule; 2 startingDeadlineSeconds int*; 3 concurrencyPolicy; 4 suspend bool*; 5 jobTemplate JobTemplateSpec; 6 successfulJobsHistoryLimit int*; 7 failedJobsHistoryLimit int*; 8 timeZone string*",
        ["JobTemplateSpec"] = "1 metadata ObjectMeta; 2 spec JobSpec",

        // rbac.authorization.k8s.io/v1
        ["Role"] = "1 metadata ObjectMeta; 2 rules PolicyRule[]",
        ["ClusterRole"] = "1 metadata ObjectMeta; 2 rules PolicyRule[]; 3 aggregationRule AggregationRule*",
        ["AggregationRule"] = "1 clusterRoleSelectors LabelSelector[]",
        ["PolicyRule"] = "1 verbs string[]; 2 apiGroups string[]; 3 resources string[]; 4 resourceNames string[]; 5 nonResourceURLs string[]",
        ["RoleBinding"] = "1 metadata ObjectMeta; 2 subjects Subject[]; 3 roleRef RoleRef",
        ["ClusterRoleBinding"] = "1 metadata ObjectMeta; 2 subjects Subject[]; 3 roleRef RoleRef",
        ["Subject"] = "1 kind; 2 apiGroup; 3 name; 4 namespace",
        ["RoleRef"] = "1 apiGroup; 2 kind; 3 name",

        // scheduling, policy, networking
        ["PriorityClass"] = "1 metadata ObjectMeta; 2 value int; 3 globalDefault bool; 4 description; 5 preemptionPolicy string*",
        ["PodDisruptionBudget"] = "1 metadata ObjectMeta; 2 spec PodDisruptionBudgetSpec",
        ["PodDisruptionBudgetSpec"] = "1 minAvailable intstr*; 2 selector LabelSelector*; 3 maxUnavailable intstr*; 4 unhealthyPodEvictionPolicy string*",
        ["Ingress"] = "1 metadata ObjectMeta; 2 spec IngressSpec",
        ["IngressSpec"] = "1 defaultBackend IngressBackend*; 2 tls IngressTLS[]; 3 rules IngressRule[]; 4 ingressClassName string*",
        ["IngressTLS"] = "1 hosts string[]; 2 secretName",
        ["IngressRule"] = "1 host; 2 ingressRuleValue IngressRuleValue inline",
        ["IngressRuleValue"] = "1 http HTTPIngressRuleValue*",
        ["HTTPIngressRuleValue"] = "1 paths HTTPIngressPath[]",
        ["HTTPIngressPath"] = "1 path; 2 backend IngressBackend; 3 pathType string*",
        ["IngressBackend"] = "3 resource TypedLocalObjectReference*; 4 service IngressServiceBackend*",
        ["IngressServiceBackend"] = "1 name; 2 port ServiceBackendPort",
        ["ServiceBackendPort"] = "1 name; 2 number int",
        ["TypedLocalObjectReference"] = "1 apiGroup string*; 2 kind; 3 name",

        // authorization.k8s.io/v1, authentication.k8s.io/v1
        ["SelfSubjectAccessReview"] = "1 metadata ObjectMeta; 2 spec SelfSubjectAccessReviewSpec",
        ["SelfSubjectAccessReviewSpec"] = "1 resourceAttributes ResourceAttributes*; 2 nonResourceAttributes NonResourceAttributes*",
        ["ResourceAttributes"] = "1 namespace; 2 verb; 3 group; 4 version; 5 resource; 6 subresource; 7 name",
        ["NonResourceAttributes"] = "1 path; 2 verb",
        ["SelfSubjectRulesReview"] = "1 metadata ObjectMeta; 2 spec SelfSubjectRulesReviewSpec",
        ["SelfSubjectRulesReviewSpec"] = "1 namespace",
        ["SelfSubjectReview"] = "1 metadata ObjectMeta",
    };
}
