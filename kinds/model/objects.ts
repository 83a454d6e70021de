/** A Kubernetes object as manifests hold it: the fields every kind reads, the rest as is. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [k: string]: unknown;
}

/** An object with the file it came from (for kustomize output: the source file when it can be found). */
export interface SourcedObject {
  object: KubeObject;
  file: string;
}
