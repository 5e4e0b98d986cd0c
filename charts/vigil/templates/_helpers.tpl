{{/* Names ---------------------------------------------------------------------------------- */}}

{{- define "vigil.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vigil.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Every process, in start order; the agents serve A2A. */}}
{{- define "vigil.components" -}}
["coordinator","analysis","review","remediation","notification","gate","approvals"]
{{- end -}}

{{/* Processes that are not Temporal workers on a task queue of their own. */}}
{{- define "vigil.nonWorkers" -}}
["gate","approvals"]
{{- end -}}

{{/* Signing key Secrets (templates/signing-keys.yaml): generated, or the user's. */}}
{{- define "vigil.verdictKeySecret" -}}
{{- .Values.trust.verdictKey.existingSecret | default (printf "%s-verdict-key" (include "vigil.fullname" .)) -}}
{{- end -}}
{{- define "vigil.gateKeySecret" -}}
{{- .Values.trust.gateKey.existingSecret | default (printf "%s-gate-key" (include "vigil.fullname" .)) -}}
{{- end -}}
{{- define "vigil.approvalsKeySecret" -}}
{{- .Values.trust.approvalsKey.existingSecret | default (printf "%s-approvals-key" (include "vigil.fullname" .)) -}}
{{- end -}}
{{- define "vigil.buttonKeySecret" -}}
{{- .Values.approvals.buttonKey.existingSecret | default (printf "%s-approvals-button-key" (include "vigil.fullname" .)) -}}
{{- end -}}

{{/* Pods the network policies select: every process, and the search-attribute Job when it runs. */}}
{{- define "vigil.policedComponents" -}}
{{- $names := include "vigil.components" . | fromJsonArray -}}
{{- if .Values.temporal.registerSearchAttributes }}{{ $names = append $names "setup" }}{{ end -}}
{{- toJson $names -}}
{{- end -}}

{{- define "vigil.agents" -}}
["analysis","review","remediation","notification"]
{{- end -}}

{{/* The task queue each worker must poll: the incident workflow routes to these (contracts/agents.ts). */}}
{{- define "vigil.workflowQueues" -}}
{"coordinator":"vigil-coordinator","analysis":"vigil-analysis","review":"vigil-review","remediation":"vigil-remediation","notification":"vigil-notification"}
{{- end -}}

{{/* (list $ "analysis") -> release-vigil-analysis */}}
{{- define "vigil.componentFullname" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "vigil.fullname" $root) (index . 1) -}}
{{- end -}}

{{/* The identity an agent's A2A server allow-lists: the certificate's common name. */}}
{{- define "vigil.identity" -}}
{{- $root := index . 0 -}}
{{- printf "%s.%s" (include "vigil.componentFullname" .) $root.Release.Namespace -}}
{{- end -}}

{{- define "vigil.isAgent" -}}
{{- if has . (include "vigil.agents" . | fromJsonArray) -}}true{{- end -}}
{{- end -}}

{{/* Labels ------------------------------------------------------------------------------------ */}}

{{- define "vigil.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "vigil.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* (list $ component) or (list $ "") for release-wide objects. */}}
{{- define "vigil.labels" -}}
{{- $root := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "vigil.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
{{- if index . 1 }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}
app.kubernetes.io/part-of: vigil
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
{{- with $root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selects every pod of this release (for intra-release A2A). */}}
{{- define "vigil.releasePodLabels" -}}
app.kubernetes.io/name: {{ include "vigil.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Image ------------------------------------------------------------------------------------- */}}

{{- define "vigil.image" -}}
{{- $img := .Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default .Chart.AppVersion $img.tag) -}}
{{- end -}}
{{- end -}}

{{/* TLS --------------------------------------------------------------------------------------- */}}

{{/* The Secret holding a component's certificate (cert-manager writes it, or the user provides it). */}}
{{- define "vigil.tlsSecretName" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- if eq $root.Values.tls.mode "provided" -}}
{{- $secret := index $root.Values.tls.provided.secrets $name | default "" -}}
{{- if not $secret -}}
{{- fail (printf "tls.mode=provided needs tls.provided.secrets.%s: the name of a Secret with tls.crt, tls.key and ca.crt for the %s component" $name $name) -}}
{{- end -}}
{{- $secret -}}
{{- else -}}
{{- printf "%s-tls" (include "vigil.componentFullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Network peers ------------------------------------------------------------------------------
  A peer is one of {namespace, podLabels}, {cidr, except}, {fqdn}, {entity}; values.schema.json
  checks the shape, these render it for each provider. */}}

{{/* (dict "root" $ "peers" list "what" "temporal.network") -> NetworkPolicy `to`/`from` entries */}}
{{- define "vigil.k8sPeers" -}}
{{- range $i, $p := .peers }}
{{- if $p.release }}
- podSelector:
    matchLabels: {{- include "vigil.releasePodLabels" $.root | nindent 6 }}
{{- else if $p.releaseAgents }}
- podSelector:
    matchLabels: {{- include "vigil.releasePodLabels" $.root | nindent 6 }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: {{- include "vigil.agents" $.root | fromJsonArray | toYaml | nindent 10 }}
{{- else if $p.fqdn }}
{{- fail (printf "networkPolicy.provider=kubernetes cannot express %s.peers[%d].fqdn=%s: a plain NetworkPolicy has no DNS names; give a cidr (or use networkPolicy.provider=cilium)" $.what $i $p.fqdn) }}
{{- else if $p.entity }}
{{- fail (printf "networkPolicy.provider=kubernetes cannot express %s.peers[%d].entity=%s: give the address range as a cidr (or use networkPolicy.provider=cilium)" $.what $i $p.entity) }}
{{- else if $p.cidr }}
- ipBlock:
    cidr: {{ $p.cidr }}
    {{- with $p.except }}
    except: {{- toYaml . | nindent 6 }}
    {{- end }}
{{- else }}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ $p.namespace }}
  podSelector:
    {{- if $p.podLabels }}
    matchLabels: {{- toYaml $p.podLabels | nindent 6 }}
    {{- else }}
    {}
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* (dict "root" $ "peers" list "direction" "to"|"from") -> a JSON list of CiliumNetworkPolicy peer
  selectors, one kind per entry (Cilium refuses rules that combine endpoints, CIDRs, entities
  and FQDNs). */}}
{{- define "vigil.ciliumPeers" -}}
{{- $endpoints := list -}}
{{- $cidrs := list -}}
{{- $fqdns := list -}}
{{- $entities := list -}}
{{- $root := .root -}}
{{- range .peers -}}
{{- if .release -}}
{{- $endpoints = append $endpoints (dict "matchLabels" (include "vigil.releasePodLabels" $root | fromYaml)) -}}
{{- else if .releaseAgents -}}
{{- $sel := dict "matchLabels" (include "vigil.releasePodLabels" $root | fromYaml) -}}
{{- $_ := set $sel "matchExpressions" (list (dict "key" "app.kubernetes.io/component" "operator" "In" "values" (include "vigil.agents" $root | fromJsonArray))) -}}
{{- $endpoints = append $endpoints $sel -}}
{{- else if .fqdn -}}
{{- if contains "*" .fqdn -}}
{{- $fqdns = append $fqdns (dict "matchPattern" .fqdn) -}}
{{- else -}}
{{- $fqdns = append $fqdns (dict "matchName" .fqdn) -}}
{{- end -}}
{{- else if .entity -}}
{{- $entities = append $entities .entity -}}
{{- else if .cidr -}}
{{- $c := dict "cidr" .cidr -}}
{{- if .except }}{{ $_ := set $c "except" .except }}{{ end -}}
{{- $cidrs = append $cidrs $c -}}
{{- else -}}
{{- $labels := dict "k8s:io.kubernetes.pod.namespace" .namespace -}}
{{- range $k, $v := .podLabels }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- $endpoints = append $endpoints (dict "matchLabels" $labels) -}}
{{- end -}}
{{- end -}}
{{- $dir := .direction -}}
{{- $out := list -}}
{{- if $endpoints }}{{ $out = append $out (dict (printf "%sEndpoints" $dir) $endpoints) }}{{ end -}}
{{- if $cidrs }}{{ $out = append $out (dict (printf "%sCIDRSet" $dir) $cidrs) }}{{ end -}}
{{- if $entities }}{{ $out = append $out (dict (printf "%sEntities" $dir) $entities) }}{{ end -}}
{{- if $fqdns -}}
{{- if eq $dir "from" }}{{ fail "FQDN peers can only be egress destinations" }}{{ end -}}
{{- $out = append $out (dict "toFQDNs" $fqdns) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* Temporal client TLS / API key env (files from Secrets or the component's certificate). */}}
{{- define "vigil.temporalTlsEnv" -}}
{{- $t := .Values.temporal -}}
{{- if $t.tls.enabled -}}
{{- if $t.tls.useComponentCertificates -}}
{{- if eq .Values.tls.mode "none" }}{{ fail "temporal.tls.useComponentCertificates needs tls.mode=certManager or provided" }}{{ end }}
- name: TEMPORAL_TLS_CERT
  value: /etc/vigil/tls/tls.crt
- name: TEMPORAL_TLS_KEY
  value: /etc/vigil/tls/tls.key
{{- else if not $t.tls.existingSecret }}
{{- fail "temporal.tls.enabled needs temporal.tls.existingSecret (tls.crt/tls.key/ca.crt) or temporal.tls.useComponentCertificates" }}
{{- end }}
{{- if $t.tls.existingSecret }}
{{- if not $t.tls.useComponentCertificates }}
- name: TEMPORAL_TLS_CERT
  value: /etc/vigil/temporal-tls/tls.crt
- name: TEMPORAL_TLS_KEY
  value: /etc/vigil/temporal-tls/tls.key
{{- end }}
{{- if $t.tls.caInSecret }}
- name: TEMPORAL_TLS_CA
  value: /etc/vigil/temporal-tls/ca.crt
{{- end }}
{{- end }}
{{- with $t.tls.serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if $t.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY_FILE
  value: /etc/vigil/temporal-api-key/api-key
{{- end }}
{{- end -}}

{{/* Comma-separated identities an agent's A2A server admits. */}}
{{- define "vigil.a2aAllowedIdentities" -}}
{{- $ids := list -}}
{{- if .Values.a2a.allowVigilComponents -}}
{{- range $name := include "vigil.components" . | fromJsonArray -}}
{{- /* The approvals service talks to Temporal only; it never calls an agent. */ -}}
{{- if and (index $.Values $name).enabled (ne $name "approvals") -}}
{{- $ids = append $ids (include "vigil.identity" (list $ $name)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $ids = concat $ids .Values.a2a.extraAllowedIdentities -}}
{{- join "," $ids -}}
{{- end -}}

{{/* The ConfigMap holding the review policy bundle: the user's, or the one this chart renders. */}}
{{- define "vigil.policyConfigMapName" -}}
{{- default (printf "%s-policy" (include "vigil.fullname" .)) .Values.review.policy.existingConfigMap -}}
{{- end -}}

{{/* The analysis prompt as one AgentPrompt document: the chart's shipped prompt, with the
  non-empty prompt.* values over it. Rendered as the custom resource and mounted as the file. */}}
{{- define "vigil.promptDocument" -}}
{{- $shipped := .Files.Get "files/prompts/analysis.yaml" | fromYaml -}}
{{- if or (not $shipped) (hasKey $shipped "Error") -}}
{{- fail "files/prompts/analysis.yaml is missing or not YAML: regenerate it with `node dist/scripts/chart/gen-chart-files.js`" -}}
{{- end -}}
{{- $spec := deepCopy (get $shipped "spec") -}}
{{- with .Values.prompt.version }}{{ $_ := set $spec "version" . }}{{ end -}}
{{- with .Values.prompt.system }}{{ $_ := set $spec "system" . }}{{ end -}}
{{- with .Values.prompt.user }}{{ $_ := set $spec "user" . }}{{ end -}}
{{- $_ := set $spec "agent" "analysis" -}}
apiVersion: vigil.dev/v1alpha1
kind: AgentPrompt
metadata:
  name: {{ include "vigil.componentFullname" (list . "analysis") }}
  namespace: {{ .Release.Namespace }}
  labels: {{- include "vigil.labels" (list . "analysis") | nindent 4 }}
spec: {{- toYaml $spec | nindent 2 }}
{{- end -}}

{{/* "true" when the remediation agent applies changes through the Kubernetes API. */}}
{{- define "vigil.remediationUsesKubeApi" -}}
{{- $r := .Values.remediation -}}
{{- if and $r.enabled $r.rbac.create $r.actionners (not $r.dryRun) }}true{{ end -}}
{{- end -}}

{{/* Who may talk to a component, provider-neutral: (list $ name) -> JSON
  {ingress: [group], egress: [group]}, group = {what, peers, ports: [{port, protocol}], http?, dns?,
  ciliumOnly?}. Internal peers: {release: true} (pods of this release), {releaseAgents: true}. */}}
{{- define "vigil.netPlan" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $v := $root.Values -}}
{{- $c := index $v $name -}}
{{- $isAgent := has $name (include "vigil.agents" $root | fromJsonArray) -}}
{{- $a2aOn := and $v.a2a.enabled (ne $v.tls.mode "none") -}}
{{- $ops := list (dict "port" $v.ports.ops "protocol" "TCP") -}}
{{- $a2aPorts := list (dict "port" $v.ports.a2a "protocol" "TCP") -}}
{{- $ingress := list -}}
{{- $egress := list -}}
{{- /* Prometheus scrapes /metrics; the kubelet probes /healthz and /readyz. The setup Job serves nothing. */ -}}
{{- if ne $name "setup" -}}
{{- $ingress = append $ingress (dict "what" "networkPolicy.prometheus" "peers" $v.networkPolicy.prometheus.peers "ports" $ops "http" (list (dict "method" "GET" "path" "/metrics"))) -}}
{{- $ingress = append $ingress (dict "what" "kubelet probes" "peers" (list (dict "entity" "host")) "ports" $ops "http" (list (dict "method" "GET" "path" "/healthz") (dict "method" "GET" "path" "/readyz")) "ciliumOnly" true) -}}
{{- end -}}
{{- if and $isAgent $a2aOn -}}
{{- $from := $v.a2a.clients -}}
{{- if $v.a2a.allowVigilComponents }}{{ $from = prepend $from (dict "release" true) }}{{ end -}}
{{- if $from -}}
{{- $ingress = append $ingress (dict "what" "a2a.clients" "peers" $from "ports" $a2aPorts) -}}
{{- end -}}
{{- end -}}
{{- $dnsPorts := list -}}
{{- range $v.networkPolicy.dns.ports }}{{ $dnsPorts = concat $dnsPorts (list (dict "port" . "protocol" "UDP") (dict "port" . "protocol" "TCP")) }}{{ end -}}
{{- $egress = append $egress (dict "what" "networkPolicy.dns" "peers" $v.networkPolicy.dns.peers "ports" $dnsPorts "dns" true) -}}
{{- $toPorts := list -}}
{{- range $v.temporal.network.ports }}{{ $toPorts = append $toPorts (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "temporal.network" "peers" $v.temporal.network.peers "ports" $toPorts) -}}
{{- if eq $name "approvals" -}}
{{- if $c.network.peers -}}
{{- $ingress = append $ingress (dict "what" "approvals.network (chat callbacks through the ingress)" "peers" $c.network.peers "ports" (list (dict "port" $c.port "protocol" "TCP"))) -}}
{{- end -}}
{{- if and $c.slack.signingSecret.existingSecret $c.slack.network.peers -}}
{{- $p := list -}}
{{- range $c.slack.network.ports }}{{ $p = append $p (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "approvals.slack.network (response_url)" "peers" $c.slack.network.peers "ports" $p) -}}
{{- end -}}
{{- end -}}
{{- if eq $name "gate" -}}
{{- $p := list -}}
{{- range $v.kafka.network.ports }}{{ $p = append $p (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "kafka.network" "peers" $v.kafka.network.peers "ports" $p) -}}
{{- end -}}
{{- if and (eq $name "analysis") $c.llm.baseUrl $c.llm.network.peers -}}
{{- $p := list -}}
{{- range $c.llm.network.ports }}{{ $p = append $p (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "analysis.llm.network" "peers" $c.llm.network.peers "ports" $p) -}}
{{- end -}}
{{- if and (eq $name "notification") $c.webhook.existingSecret $c.webhook.network.peers -}}
{{- $p := list -}}
{{- range $c.webhook.network.ports }}{{ $p = append $p (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "notification.webhook.network" "peers" $c.webhook.network.peers "ports" $p) -}}
{{- end -}}
{{- if and (eq $name "remediation") (include "vigil.remediationUsesKubeApi" $root) -}}
{{- $p := list -}}
{{- range $v.networkPolicy.kubernetesApi.ports }}{{ $p = append $p (dict "port" . "protocol" "TCP") }}{{ end -}}
{{- $egress = append $egress (dict "what" "networkPolicy.kubernetesApi" "peers" $v.networkPolicy.kubernetesApi.peers "ports" $p) -}}
{{- end -}}
{{- if and $a2aOn $v.a2a.allowVigilComponents (not (has $name (list "setup" "approvals"))) -}}
{{- $egress = append $egress (dict "what" "a2a between Vigil components" "peers" (list (dict "releaseAgents" true)) "ports" $a2aPorts) -}}
{{- end -}}
{{- toJson (dict "ingress" $ingress "egress" $egress) -}}
{{- end -}}

{{/* Volumes and mounts for the Temporal client's TLS Secret and API key (every Temporal client). */}}
{{- define "vigil.temporalVolumeMounts" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/vigil/temporal-tls
  readOnly: true
{{- end }}
{{- if .Values.temporal.apiKey.existingSecret }}
- name: temporal-api-key
  mountPath: /etc/vigil/temporal-api-key
  readOnly: true
{{- end }}
{{- end -}}

{{- define "vigil.temporalVolumes" -}}
{{- if and .Values.temporal.tls.enabled .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
    defaultMode: 288 # 0o440, written in decimal: YAML 1.1 and 1.2 read a leading 0 differently
{{- end }}
{{- if .Values.temporal.apiKey.existingSecret }}
- name: temporal-api-key
  secret:
    secretName: {{ .Values.temporal.apiKey.existingSecret }}
    defaultMode: 288 # 0o440, written in decimal: YAML 1.1 and 1.2 read a leading 0 differently
    items:
      - key: {{ .Values.temporal.apiKey.key }}
        path: api-key
{{- end }}
{{- end -}}
