/**
 * The HPA's `spec.behavior` (autoscaling/v2), the one type for it: the scenario's `hpa.behavior`, the
 * manifests' object, the compression of a replay and the simulator's model all read this shape.
 * A manifest writes a tolerance as a quantity ("50m"); resolved for the model it is a number, so the
 * object's form is `Behavior<number | string>` and the model's `Behavior`.
 */
export interface Policy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules<Tolerance = number> {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: Policy[];
  tolerance?: Tolerance;
}

export interface Behavior<Tolerance = number> {
  scaleUp?: ScalingRules<Tolerance>;
  scaleDown?: ScalingRules<Tolerance>;
}
