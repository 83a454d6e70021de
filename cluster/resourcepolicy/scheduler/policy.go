package main

// The documented semantics of ACK's ResourcePolicy, as pure functions of the policy, the pod being
// scheduled and the pods already placed, so they are tested without a scheduler
// (policy_test.go). plugin.go feeds them from the scheduler's snapshot.

import (
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

const (
	StrategyPrefer   = "prefer"
	StrategyRequired = "required"

	PolicyLackResourceOrExceedMax      = "LackResourceOrExceedMax"
	PolicyExceedMax                    = "ExceedMax"
	PolicyTimeoutOrExceedMax           = "TimeoutOrExceedMax"
	PolicyLackResourceAndNoTerminating = "LackResourceAndNoTerminating"

	PreemptBeforeNextUnit = "BeforeNextUnit"
	PreemptAfterAllUnits  = "AfterAllUnits"

	// ACK's virtual-kubelet node label: units of resource eci (and acs) are the virtual nodes.
	virtualNodeLabel = "type"
	virtualNodeValue = "virtual-kubelet"
	// The virtual node's taint (ack-virtual-node: virtual-kubelet.io/provider=alibabacloud:NoSchedule).
	virtualNodeTaintKey = "virtual-kubelet.io/provider"

	// Undocumented by ACK; chosen here and stated in the README.
	defaultTimeout = 15 * time.Minute
)

type Unit struct {
	Resource       string            `json:"resource"`
	NodeSelector   map[string]string `json:"nodeSelector,omitempty"`
	Max            *int32            `json:"max,omitempty"`
	MaxResources   v1.ResourceList   `json:"maxResources,omitempty"`
	PodLabels      map[string]string `json:"podLabels,omitempty"`
	PodAnnotations map[string]string `json:"podAnnotations,omitempty"`
}

type WhenTryNextUnits struct {
	Policy  string           `json:"policy,omitempty"`
	Timeout *metav1.Duration `json:"timeout,omitempty"`
}

type Spec struct {
	Selector             map[string]string `json:"selector"`
	Strategy             string            `json:"strategy,omitempty"`
	Units                []Unit            `json:"units"`
	PreemptPolicy        string            `json:"preemptPolicy,omitempty"`
	WhenTryNextUnits     *WhenTryNextUnits `json:"whenTryNextUnits,omitempty"`
	IgnorePreviousPod    bool              `json:"ignorePreviousPod,omitempty"`
	IgnoreTerminatingPod *bool             `json:"ignoreTerminatingPod,omitempty"`
	MatchLabelKeys       []string          `json:"matchLabelKeys,omitempty"`
}

type Policy struct {
	Namespace string
	Name      string
	Created   time.Time
	Spec      Spec
}

func (p *Policy) policyName() string {
	if p.Spec.WhenTryNextUnits == nil || p.Spec.WhenTryNextUnits.Policy == "" {
		return PolicyLackResourceOrExceedMax
	}
	return p.Spec.WhenTryNextUnits.Policy
}

func (p *Policy) timeout() time.Duration {
	if w := p.Spec.WhenTryNextUnits; w != nil && w.Timeout != nil {
		return w.Timeout.Duration
	}
	return defaultTimeout
}

// ignoreTerminating: true by default since ACK's scheduler v1.x.x-aliyun-6.4.
func (p *Policy) ignoreTerminating() bool {
	return p.Spec.IgnoreTerminatingPod == nil || *p.Spec.IgnoreTerminatingPod
}

func labelsMatch(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// Selects reports whether the policy governs the pod: same namespace and every selector label.
func (p *Policy) Selects(pod *v1.Pod) bool {
	return pod.Namespace == p.Namespace && len(p.Spec.Selector) > 0 && labelsMatch(p.Spec.Selector, pod.Labels)
}

// UnitOf is the index of the first unit the node belongs to, or len(units) for a node outside every unit.
func (p *Policy) UnitOf(node *v1.Node) int {
	virtual := node.Labels[virtualNodeLabel] == virtualNodeValue
	for i, u := range p.Spec.Units {
		wantsVirtual := isVirtual(u.Resource)
		if wantsVirtual == virtual && labelsMatch(u.NodeSelector, node.Labels) {
			return i
		}
	}
	return len(p.Spec.Units)
}

// Tolerations are the pod's own tolerations on this node, plus the virtual node's taint when the
// node is in one of the policy's eci or acs units: ACK documents that those units' pods tolerate
// the virtual nodes' taints without declaring it ("The scheduler adds these tolerations internally
// and they are not reflected in the pod spec"). The pod's spec is not changed; a node outside those
// units (an ECS unit, or no unit under strategy prefer) is judged on the pod's own tolerations.
func (p *Policy) Tolerations(pod *v1.Pod, node *v1.Node) []v1.Toleration {
	i := p.UnitOf(node)
	if i >= len(p.Spec.Units) || !isVirtual(p.Spec.Units[i].Resource) {
		return pod.Spec.Tolerations
	}
	out := make([]v1.Toleration, 0, len(pod.Spec.Tolerations)+1)
	out = append(out, pod.Spec.Tolerations...)
	return append(out, v1.Toleration{Key: virtualNodeTaintKey, Operator: v1.TolerationOpExists})
}

func isVirtual(resource string) bool { return resource == "eci" || resource == "acs" }

// PlacedPod is a pod of the cluster already bound (or assumed) to a node.
type PlacedPod struct {
	Pod  *v1.Pod
	Node *v1.Node
}

// Usage is what the policy's counted pods occupy per unit (index len(units): outside every unit).
type Usage struct {
	Pods        []int32
	Requests    []v1.ResourceList
	Terminating bool
}

// Count tallies the placed pods the policy counts for this pod: selected, of the same
// matchLabelKeys values, not created before the policy when ignorePreviousPod, not terminating
// when ignoreTerminatingPod. Any selected pod terminating is noted for LackResourceAndNoTerminating.
func (p *Policy) Count(pod *v1.Pod, placed []PlacedPod) Usage {
	n := len(p.Spec.Units) + 1
	u := Usage{Pods: make([]int32, n), Requests: make([]v1.ResourceList, n)}
	for i := range u.Requests {
		u.Requests[i] = v1.ResourceList{}
	}
	for _, pp := range placed {
		q := pp.Pod
		if q.UID == pod.UID || !p.Selects(q) || !sameKeys(p.Spec.MatchLabelKeys, pod, q) {
			continue
		}
		terminating := q.DeletionTimestamp != nil
		if terminating {
			u.Terminating = true
			if p.ignoreTerminating() {
				continue
			}
		}
		if p.Spec.IgnorePreviousPod && q.CreationTimestamp.Time.Before(p.Created) {
			continue
		}
		i := p.UnitOf(pp.Node)
		u.Pods[i]++
		addRequests(u.Requests[i], q)
	}
	return u
}

func sameKeys(keys []string, a, b *v1.Pod) bool {
	for _, k := range keys {
		if a.Labels[k] != b.Labels[k] {
			return false
		}
	}
	return true
}

func addRequests(sum v1.ResourceList, pod *v1.Pod) {
	for _, c := range pod.Spec.Containers {
		for name, q := range c.Resources.Requests {
			cur := sum[name]
			cur.Add(q)
			sum[name] = cur
		}
	}
}

// hasRoom: the unit can take one more pod within max and maxResources.
func (p *Policy) hasRoom(i int, pod *v1.Pod, u Usage) bool {
	if i >= len(p.Spec.Units) {
		return true
	}
	unit := p.Spec.Units[i]
	if unit.Max != nil && u.Pods[i] >= *unit.Max {
		return false
	}
	if len(unit.MaxResources) == 0 {
		return true
	}
	want := v1.ResourceList{}
	addRequests(want, pod)
	for name, limit := range unit.MaxResources {
		used := u.Requests[i][name]
		sum := used.DeepCopy()
		if q, ok := want[name]; ok {
			sum.Add(q)
		}
		if sum.Cmp(limit) > 0 {
			return false
		}
	}
	return true
}

// Allowed is, per unit index (len(units) = outside every unit), whether the pod may be placed there now.
// Units before the last allowed one are tried first through Score (Rank).
func (p *Policy) Allowed(pod *v1.Pod, u Usage, now time.Time) []bool {
	n := len(p.Spec.Units)
	ok := make([]bool, n+1)
	candidates := make([]int, 0, n+1)
	for i := 0; i < n; i++ {
		if p.hasRoom(i, pod, u) {
			candidates = append(candidates, i)
		}
	}
	if p.Spec.Strategy != StrategyRequired {
		candidates = append(candidates, n)
	}
	if len(candidates) == 0 {
		return ok
	}
	// Whether a unit short of resources may hand over to the next one.
	var spill bool
	switch p.policyName() {
	case PolicyExceedMax:
		spill = false
	case PolicyTimeoutOrExceedMax:
		spill = now.Sub(pod.CreationTimestamp.Time) >= p.timeout()
	case PolicyLackResourceAndNoTerminating:
		spill = !u.Terminating
	default:
		spill = true
	}
	if !spill {
		ok[candidates[0]] = true
		return ok
	}
	for _, i := range candidates {
		ok[i] = true
	}
	return ok
}

// Rank is a unit's score: earlier units higher, so the earliest unit with a feasible node wins.
func Rank(i, units int) int64 {
	return int64(100 * (units + 1 - i) / (units + 1))
}

// preemptPolicy: ACK documents AfterAllUnits as the default.
func (p *Policy) preemptPolicy() string {
	if p.Spec.PreemptPolicy == PreemptBeforeNextUnit {
		return PreemptBeforeNextUnit
	}
	return PreemptAfterAllUnits
}

// Victims is, per unit index (len(units) = outside every unit), whether the unit holds a pod the
// incoming pod may preempt: any pod of lower priority, the policy's or not. Terminating ones count
// too, so a pod whose victims are still going keeps waiting in their unit rather than moving on.
// A pod with preemptionPolicy Never may preempt nothing.
func (p *Policy) Victims(pod *v1.Pod, placed []PlacedPod) []bool {
	out := make([]bool, len(p.Spec.Units)+1)
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == v1.PreemptNever {
		return out
	}
	prio := corev1helpers.PodPriority(pod)
	for _, pp := range placed {
		if pp.Pod.UID != pod.UID && corev1helpers.PodPriority(pp.Pod) < prio {
			out[p.UnitOf(pp.Node)] = true
		}
	}
	return out
}

// Plan is what one scheduling cycle of a pod does under the policy's preemptPolicy.
type Plan struct {
	// Admit: the units whose nodes Filter lets the pod onto (Score then prefers the earliest).
	Admit []bool
	// Preempt: when no admitted node fits, the units PostFilter tries preemption in, one at a
	// time in this order (kube-scheduler's default preemption restricted to the unit's nodes); the
	// first that finds victims wins.
	Preempt []int
	// Stepwise: a unit of Preempt that finds no victims hands the pod on to the next cycle with
	// preemption tried from the unit after it (BeforeNextUnit), rather than ending the attempt.
	Stepwise bool
}

// PreemptPlan turns the open units (Allowed), the units holding lower-priority pods (Victims) and
// the units this pod already tried preemption in without success (those before tried) into the
// cycle's Plan.
//
//   - AfterAllUnits (default): every open unit is admitted; only when none fits is preemption
//     tried, unit by unit in the policy's order (nodes outside the units last, under prefer).
//   - BeforeNextUnit: the first open unit from tried on where preemption could help is the
//     preemption frontier; open units up to it are admitted, later ones not yet, so a pod that fits
//     nowhere up to the frontier preempts there before it may use the next unit. Units with no
//     lower-priority pod are passed over as ACK's walk would (preemption there finds nothing).
func (p *Policy) PreemptPlan(allowed, victims []bool, tried int) Plan {
	admit := append([]bool(nil), allowed...)
	var order []int
	for i := range allowed {
		if allowed[i] && victims[i] {
			order = append(order, i)
		}
	}
	if p.preemptPolicy() == PreemptAfterAllUnits {
		return Plan{Admit: admit, Preempt: order}
	}
	for _, f := range order {
		if f < tried {
			continue
		}
		for i := f + 1; i < len(admit); i++ {
			admit[i] = false
		}
		return Plan{Admit: admit, Preempt: []int{f}, Stepwise: true}
	}
	return Plan{Admit: admit}
}
