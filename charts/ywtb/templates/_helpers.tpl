{{/* Names and labels */}}
{{- define "ywtb.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else if contains "ywtb" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-ywtb" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ywtb.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: ywtb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" $name) */}}
{{- define "ywtb.selectorLabels" -}}
app.kubernetes.io/name: ywtb-{{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "ywtb.componentLabels" -}}
{{ include "ywtb.labels" .root }}
{{ include "ywtb.selectorLabels" . }}
{{- end -}}

{{/* Deep merge of two maps (override wins, false and 0 included): (list $base $override) -> YAML */}}
{{- define "ywtb.deepMerge" -}}
{{- $base := index . 0 -}}
{{- $over := index . 1 -}}
{{- $out := dict -}}
{{- range $k, $v := $base }}{{ $_ := set $out $k $v }}{{ end -}}
{{- range $k, $v := $over }}
{{- if and (kindIs "map" $v) (kindIs "map" (get $out $k)) }}
{{- $_ := set $out $k (include "ywtb.deepMerge" (list (get $out $k) $v) | fromYaml) }}
{{- else }}
{{- $_ := set $out $k $v }}
{{- end }}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The component registry: files/components.yaml, a copy of deploy/components.yaml, without the simulators of
outside systems (make run only) (root context) -> YAML */}}
{{- define "ywtb.registry" -}}
{{- $reg := .Files.Get "files/components.yaml" | fromYaml -}}
{{- $own := dict -}}
{{- range $name, $c := $reg.components }}
{{- if not $c.simulates }}{{ $_ := set $own $name $c }}{{ end }}
{{- end }}
{{- range $name, $_ := .Values.components }}
{{- if not (hasKey $own $name) }}
{{- fail (printf "components.%s is not a component of files/components.yaml (deploy/components.yaml)" $name) }}
{{- end }}
{{- end -}}
{{- toYaml $own -}}
{{- end -}}

{{/* Whether a component is enabled: components.<name>.enabled, else default.enabled, else true: (dict "root" $ "name" $name) */}}
{{- define "ywtb.enabled" -}}
{{- $on := true -}}
{{- if hasKey .root.Values.default "enabled" }}{{ $on = .root.Values.default.enabled }}{{ end -}}
{{- $own := get (.root.Values.components | default dict) .name | default dict -}}
{{- if hasKey $own "enabled" }}{{ $on = $own.enabled }}{{ end -}}
{{- $on -}}
{{- end -}}

{{/* What the registry says of one component, in values terms: (dict "root" $ "name" $name) -> YAML */}}
{{- define "ywtb.registryFacts" -}}
{{- $r := get (include "ywtb.registry" .root | fromYaml) .name -}}
{{- $backends := $r.backends | default list -}}
{{- $enabledTargets := list -}}
{{- range $t := ($r.calls | default list) }}
{{- if eq (include "ywtb.enabled" (dict "root" $.root "name" $t)) "true" }}
{{- $enabledTargets = append $enabledTargets $t -}}
{{- end }}
{{- end -}}
protocol: {{ ternary "grpc" "http" (not (empty $r.ports.grpc)) }}
port: {{ $r.ports.grpc | default $r.ports.http }}
metricsPort: {{ $r.ports.metrics | default "null" }}
database: {{ has "postgresql" $backends }}
kafka: {{ has "kafka" $backends }}
redis: {{ has "redis" $backends }}
keycloak: {{ has "keycloak" $backends }}
piiKey: {{ has "pii_key" ($r.secrets | default list) }}
nontaxKey: {{ has "nontax_key" ($r.secrets | default list) }}
provinceKey: {{ has "province_key" ($r.secrets | default list) }}
smsKey: {{ has "sms_key" ($r.secrets | default list) }}
targets: {{ toJson $enabledTargets }}
enabled: {{ include "ywtb.enabled" . }}
{{- end -}}

{{/* The effective settings of one component: default:, then the registry's facts, then components.<name>: (dict "root" $ "name" $name) -> YAML */}}
{{- define "ywtb.component" -}}
{{- $facts := include "ywtb.registryFacts" . | fromYaml -}}
{{- $base := include "ywtb.deepMerge" (list .root.Values.default $facts) | fromYaml -}}
{{- include "ywtb.deepMerge" (list $base (get (.root.Values.components | default dict) .name | default dict)) -}}
{{- end -}}

{{- define "ywtb.envPrefix" -}}YWTB_{{ upper .name }}_{{- end -}}

{{/* Image of a component: (dict "root" $ "name" $name "c" $c) */}}
{{- define "ywtb.image" -}}
{{- $img := .c.image -}}
{{- $tag := required "default.image.tag (or components.<name>.image.tag) is required" $img.tag | toString -}}
{{- if eq $tag "latest" }}{{ fail "image tag 'latest' is refused: pin a version" }}{{ end -}}
{{- $repo := $img.repository -}}
{{- if eq $repo .root.Values.default.image.repository }}
{{- $repo = printf "%s-%s" .root.Values.default.image.repository .name -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{- define "ywtb.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/* Environment of a component: (dict "root" $ "name" $name "c" $c) */}}
{{- define "ywtb.env" -}}
{{- $v := .root.Values -}}
{{- $p := include "ywtb.envPrefix" . -}}
{{- $c := .c -}}
- name: OTEL_SERVICE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.labels['app.kubernetes.io/name']
{{- if $v.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $v.otel.endpoint | quote }}
{{- end }}
- name: {{ $p }}MODE
  value: kubernetes
- name: {{ $p }}LOG_LEVEL
  value: {{ $c.logLevel | quote }}
- name: {{ $p }}DATA_DIR
  value: /tmp/ywtb
- name: {{ $p }}EVENT_LOG_PATH
  value: /tmp/ywtb/events
{{- if eq $c.protocol "http" }}
- name: {{ $p }}HTTP_HOST
  value: "0.0.0.0"
- name: {{ $p }}HTTP_PORT
  value: {{ $c.port | quote }}
{{- else }}
- name: {{ $p }}GRPC_PORT
  value: {{ $c.port | quote }}
{{- end }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sINTERNAL_SIGNING_KEY" $p) "secret" $v.secrets.existingSecret "key" $v.secrets.internalSigningKeyKey) }}
{{- if $c.piiKey }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sPII_KEY" $p) "secret" $v.secrets.existingSecret "key" $v.secrets.piiKeyKey) }}
{{- end }}
{{- if $c.nontaxKey }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sNONTAX_KEY" $p) "secret" $v.secrets.existingSecret "key" $v.secrets.nontaxKeyKey) }}
{{- end }}
{{- if $c.provinceKey }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sPROVINCE_KEY" $p) "secret" $v.secrets.existingSecret "key" $v.secrets.provinceKeyKey) }}
{{- end }}
{{- if $c.smsKey }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sSMS_KEY" $p) "secret" $v.secrets.existingSecret "key" $v.secrets.smsKeyKey) }}
{{- end }}
{{- if $c.database }}
- name: {{ $p }}MIGRATE_ON_START
  value: "false"
{{ include "ywtb.secretEnv" (dict "env" (printf "%sDATABASE_URL" $p) "secret" $v.postgresql.existingSecret "key" (printf "%s%s" .name $v.postgresql.databaseUrlKeySuffix)) }}
{{- end }}
{{- if $c.kafka }}
{{ include "ywtb.kafkaEnv" (dict "root" .root "prefix" $p) }}
{{- end }}
{{- if $c.redis }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sREDIS_URL" $p) "secret" $v.redis.existingSecret "key" $v.redis.urlKey) }}
{{- end }}
{{- if $c.keycloak }}
- name: {{ $p }}KEYCLOAK_URL
  value: {{ $v.keycloak.url | quote }}
{{- if eq .name "identity" }}
- name: {{ $p }}DIRECTORY
  value: keycloak
- name: {{ $p }}KEYCLOAK_REALM
  value: {{ $v.keycloak.realm | quote }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sKEYCLOAK_CLIENT_SECRET" $p) "secret" $v.keycloak.existingSecret "key" $v.keycloak.clientSecretKey) }}
{{- end }}
{{- end }}
{{- range $t := $c.targets }}
{{- $tc := include "ywtb.component" (dict "root" $.root "name" $t) | fromYaml }}
- name: {{ $p }}{{ upper $t }}_TARGET
  {{- if eq $tc.protocol "grpc" }}
  {{- /* every pod's address (headless Service): the gRPC client balances calls over them (round_robin) */}}
  value: {{ printf "dns:///%s-%s-headless:%v" (include "ywtb.fullname" $.root) $t $tc.port | quote }}
  {{- else }}
  value: {{ printf "%s-%s:%v" (include "ywtb.fullname" $.root) $t $tc.port | quote }}
  {{- end }}
{{- end }}
{{- range $k, $val := $c.env }}
{{- if regexMatch "(?i)((^|_)(KEY|SECRET|PASSWORD|TOKEN)(_|$)|DATABASE_URL|REDIS_URL)" $k }}
{{- fail (printf "components.%s.env.%s looks like a secret: use an existingSecret, not a plain value" $.name $k) }}
{{- end }}
- name: {{ $k }}
  value: {{ $val | quote }}
{{- end }}
{{- end -}}

{{/* Kafka connection variables: (dict "root" $ "prefix" "YWTB_X_") */}}
{{- define "ywtb.kafkaEnv" -}}
{{- $k := .root.Values.kafka -}}
- name: {{ .prefix }}KAFKA_BOOTSTRAP
  value: {{ $k.bootstrap | quote }}
{{- if $k.sasl.enabled }}
- name: {{ .prefix }}KAFKA_SECURITY_PROTOCOL
  value: {{ $k.sasl.securityProtocol | quote }}
- name: {{ .prefix }}KAFKA_SASL_MECHANISM
  value: {{ $k.sasl.mechanism | quote }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sKAFKA_SASL_USERNAME" .prefix) "secret" $k.sasl.existingSecret "key" $k.sasl.usernameKey) }}
{{ include "ywtb.secretEnv" (dict "env" (printf "%sKAFKA_SASL_PASSWORD" .prefix) "secret" $k.sasl.existingSecret "key" $k.sasl.passwordKey) }}
{{- end }}
{{- end -}}

{{/* Pod-level pieces shared by Deployments and Jobs: (dict "root" $ "c" $c) */}}
{{- define "ywtb.podCommon" -}}
automountServiceAccountToken: false
{{- with .c.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .c.podSecurityContext | nindent 2 }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .c.tmpSizeLimit }}
{{- with .extraVolumes }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "ywtb.containerCommon" -}}
imagePullPolicy: {{ .c.image.pullPolicy }}
securityContext:
  {{- toYaml .c.securityContext | nindent 2 }}
resources:
  {{- toYaml .c.resources | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- with .extraMounts }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- end -}}

{{- define "ywtb.probes" -}}
{{- $pr := .c.probes -}}
{{- $timing := printf "initialDelaySeconds: %v\nperiodSeconds: %v\ntimeoutSeconds: %v\nfailureThreshold: %v" $pr.initialDelaySeconds $pr.periodSeconds $pr.timeoutSeconds $pr.failureThreshold -}}
{{- if eq .c.protocol "http" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- $timing | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  {{- $timing | nindent 2 }}
{{- else -}}
livenessProbe:
  grpc:
    port: {{ .c.port }}
  {{- $timing | nindent 2 }}
readinessProbe:
  grpc:
    port: {{ .c.port }}
  {{- $timing | nindent 2 }}
{{- end }}
{{- end -}}

{{/* One component's workload objects: (dict "root" $ "name" $name "c" $c) */}}
{{- define "ywtb.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end -}}

{{- define "ywtb.deployment" -}}
{{- $c := .c -}}
{{- $portName := ternary "http" "grpc" (eq $c.protocol "http") -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "ywtb.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "ywtb.componentLabels" . | nindent 8 }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $c.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "ywtb.fullname" .root }}-{{ .name }}
      terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
      {{- include "ywtb.podCommon" . | nindent 6 }}
      containers:
        - name: {{ .name }}
          image: {{ include "ywtb.image" . | quote }}
          {{- include "ywtb.containerCommon" . | nindent 10 }}
          ports:
            - name: {{ $portName }}
              containerPort: {{ $c.port }}
              protocol: TCP
            {{- if $c.metricsPort }}
            - name: metrics
              containerPort: {{ $c.metricsPort }}
              protocol: TCP
            {{- end }}
          {{- include "ywtb.probes" . | nindent 10 }}
          env:
            {{- include "ywtb.env" . | nindent 12 }}
{{- end -}}

{{- define "ywtb.service" -}}
{{- $c := .c -}}
{{- $portName := ternary "http" "grpc" (eq $c.protocol "http") -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "ywtb.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ $portName }}
      port: {{ $c.port }}
      targetPort: {{ $portName }}
      protocol: TCP
      appProtocol: {{ ternary "http" "kubernetes.io/h2c" (eq $c.protocol "http") }}
    {{- if $c.metricsPort }}
    - name: metrics
      port: {{ $c.metricsPort }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
{{- end -}}

{{/* The headless Service of a gRPC component: one DNS record per ready pod, for client-side balancing */}}
{{- define "ywtb.headlessService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}-headless
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  clusterIP: None
  selector:
    {{- include "ywtb.selectorLabels" . | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .c.port }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
{{- end -}}

{{- define "ywtb.hpa" -}}
{{- $a := .c.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
{{- end -}}

{{- define "ywtb.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "ywtb.fullname" .root }}-{{ .name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  {{- $pdb := .c.podDisruptionBudget }}
  {{- if not (kindIs "invalid" $pdb.minAvailable) }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ required "podDisruptionBudget: set minAvailable or maxUnavailable" $pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "ywtb.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* Egress rules to one external endpoint: (dict "peers" $peers "ports" $ports) */}}
{{- define "ywtb.egressRule" -}}
{{- if .peers }}
- to:
    {{- toYaml .peers | nindent 4 }}
  ports:
    {{- range .ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end }}
{{- end -}}

{{- define "ywtb.dnsEgress" -}}
- to:
    {{- toYaml .Values.networkPolicy.dnsPeers | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end -}}

{{- define "ywtb.networkPolicy" -}}
{{- $root := .root -}}
{{- $v := .root.Values -}}
{{- $c := .c -}}
{{- $name := .name -}}
{{- $callers := list -}}
{{- range $other, $_ := include "ywtb.registry" $root | fromYaml }}
{{- $oc := include "ywtb.component" (dict "root" $root "name" $other) | fromYaml }}
{{- if and $oc.enabled (has $name ($oc.targets | default list)) }}{{ $callers = append $callers $other }}{{ end }}
{{- end }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "ywtb.fullname" $root }}-{{ $name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "ywtb.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if $callers }}
    - from:
        {{- range $callers }}
        - podSelector:
            matchLabels:
              {{- include "ywtb.selectorLabels" (dict "root" $root "name" .) | nindent 14 }}
        {{- end }}
      ports:
        - protocol: TCP
          port: {{ $c.port }}
    {{- end }}
    {{- if and $c.ingress $c.ingress.enabled }}
    - from:
        {{- toYaml $v.networkPolicy.ingressControllerPeers | nindent 8 }}
      ports:
        - protocol: TCP
          port: {{ $c.port }}
    {{- end }}
  egress:
    {{- include "ywtb.dnsEgress" $root | nindent 4 }}
    {{- range $t := $c.targets }}
    {{- $tc := include "ywtb.component" (dict "root" $root "name" $t) | fromYaml }}
    {{- if $tc.enabled }}
    - to:
        - podSelector:
            matchLabels:
              {{- include "ywtb.selectorLabels" (dict "root" $root "name" $t) | nindent 14 }}
      ports:
        - protocol: TCP
          port: {{ $tc.port }}
    {{- end }}
    {{- end }}
    {{- if $c.database }}{{ include "ywtb.egressRule" (dict "peers" $v.postgresql.networkPeers "ports" (list $v.postgresql.port)) | nindent 4 }}{{ end }}
    {{- if $c.redis }}{{ include "ywtb.egressRule" (dict "peers" $v.redis.networkPeers "ports" (list $v.redis.port)) | nindent 4 }}{{ end }}
    {{- if $c.kafka }}{{ include "ywtb.egressRule" (dict "peers" $v.kafka.networkPeers "ports" $v.kafka.ports) | nindent 4 }}{{ end }}
    {{- if $c.keycloak }}{{ include "ywtb.egressRule" (dict "peers" $v.keycloak.networkPeers "ports" (list $v.keycloak.port)) | nindent 4 }}{{ end }}
    {{- if $v.otel.endpoint }}{{ include "ywtb.egressRule" (dict "peers" $v.otel.networkPeers "ports" (list $v.otel.port)) | nindent 4 }}{{ end }}
{{- end -}}

{{- define "ywtb.ingress" -}}
{{- $ing := .c.ingress -}}
{{- $root := .root -}}
{{- $name := .name -}}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "ywtb.fullname" $root }}-{{ $name }}
  labels:
    {{- include "ywtb.componentLabels" . | nindent 4 }}
  {{- with $ing.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- with $ing.className }}
  ingressClassName: {{ . }}
  {{- end }}
  {{- with $ing.tls }}
  tls:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range $ing.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          {{- range (.paths | default (list (dict "path" "/" "pathType" "Prefix"))) }}
          - path: {{ .path }}
            pathType: {{ .pathType | default "Prefix" }}
            backend:
              service:
                name: {{ include "ywtb.fullname" $root }}-{{ $name }}
                port:
                  name: http
          {{- end }}
    {{- end }}
{{- end -}}
