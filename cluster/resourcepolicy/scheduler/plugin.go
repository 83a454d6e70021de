package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/defaultpreemption"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/feature"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins/tainttoleration"
)

// Name is the plugin's name in a KubeSchedulerConfiguration.
const Name = "ResourcePolicy"

const stateKey fwk.StateKey = Name

var gvr = schema.GroupVersionResource{Group: "scheduling.alibabacloud.com", Version: "v1alpha1", Resource: "resourcepolicies"}

// Plugin places the pods a ResourcePolicy selects on its units in order (PreFilter, Filter,
// Score), preempts unit by unit as the policy's preemptPolicy says (PostFilter, in place of
// DefaultPreemption, which the scheduler's configuration disables) and gives each pod the labels and
// annotations of the unit it lands in (PreBind). It also stands in for the default TaintToleration
// filter, which the profile disables at the filter point (scheduler.ts): every pod is held to its
// own tolerations as upstream does, plus, for a pod a policy selects, the virtual node's taint on the
// nodes of the policy's eci/acs units (Policy.Tolerations).
type Plugin struct {
	handle   fwk.Handle
	policies cache.SharedIndexInformer
	taints   fwk.FilterPlugin
	now      func() time.Time
	// Pods with an activation pending at their TimeoutOrExceedMax timeout, by UID.
	timers sync.Map
	// kube-scheduler's own preemption (victim selection, PDBs, nomination, async eviction), run by
	// PostFilter on all nodes for a pod without a policy, on one unit's nodes at a time for one with.
	preemption *defaultpreemption.DefaultPreemption
	// BeforeNextUnit: pods whose preemption found no victims in a unit, by UID → the unit after it.
	// Read once by the pod's next cycle, which the plugin triggers at once (Handle.Activate).
	tried sync.Map
}

var (
	_ fwk.PreEnqueuePlugin = &Plugin{}
	_ fwk.PreFilterPlugin  = &Plugin{}
	_ fwk.FilterPlugin     = &Plugin{}
	_ fwk.PostFilterPlugin = &Plugin{}
	_ fwk.ScorePlugin      = &Plugin{}
	_ fwk.PreBindPlugin    = &Plugin{}
)

func New(ctx context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	dc, err := dynamic.NewForConfig(h.KubeConfig())
	if err != nil {
		return nil, err
	}
	f := dynamicinformer.NewDynamicSharedInformerFactory(dc, 0)
	inf := f.ForResource(gvr).Informer()
	f.Start(ctx.Done())
	// DefaultPreemption's own defaults (kube-scheduler's v1 configuration defaults).
	args := &config.DefaultPreemptionArgs{MinCandidateNodesPercentage: 10, MinCandidateNodesAbsolute: 100}
	features := feature.NewSchedulerFeaturesFromGates(utilfeature.DefaultFeatureGate)
	dp, err := defaultpreemption.New(ctx, args, h, features)
	if err != nil {
		return nil, err
	}
	taints, err := tainttoleration.New(ctx, nil, h, features)
	if err != nil {
		return nil, err
	}
	return &Plugin{handle: h, policies: inf, taints: taints.(fwk.FilterPlugin), now: time.Now, preemption: dp}, nil
}

func (pl *Plugin) Name() string { return Name }

// cycle is what PreFilter computed for this pod's scheduling cycle (policy nil: no policy selects it).
type cycle struct {
	policy  *Policy
	allowed []bool
	plan    Plan
}

func (c *cycle) Clone() fwk.StateData { return c }

func toPolicy(obj interface{}) (*Policy, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, fmt.Errorf("unexpected object %T", obj)
	}
	raw, err := json.Marshal(u.Object["spec"])
	if err != nil {
		return nil, err
	}
	p := &Policy{Namespace: u.GetNamespace(), Name: u.GetName(), Created: u.GetCreationTimestamp().Time}
	if err := json.Unmarshal(raw, &p.Spec); err != nil {
		return nil, fmt.Errorf("ResourcePolicy %s/%s: %w", p.Namespace, p.Name, err)
	}
	return p, nil
}

// policyFor: the oldest policy selecting the pod (ACK does not document overlapping policies; oldest wins here).
func (pl *Plugin) policyFor(pod *v1.Pod) (*Policy, error) {
	var found *Policy
	for _, obj := range pl.policies.GetStore().List() {
		p, err := toPolicy(obj)
		if err != nil {
			return nil, err
		}
		if p.Selects(pod) && (found == nil || p.Created.Before(found.Created)) {
			found = p
		}
	}
	return found, nil
}

func (pl *Plugin) PreFilter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodes []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	if !pl.policies.HasSynced() {
		return nil, fwk.NewStatus(fwk.Error, "ResourcePolicy informer not synced yet")
	}
	p, err := pl.policyFor(pod)
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	if p == nil {
		// Not skipped: Filter still judges the pod's taints in TaintToleration's place.
		state.Write(stateKey, &cycle{})
		return nil, nil
	}
	all, err := pl.handle.SnapshotSharedLister().NodeInfos().List()
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	var placed []PlacedPod
	for _, ni := range all {
		for _, pi := range ni.GetPods() {
			placed = append(placed, PlacedPod{Pod: pi.GetPod(), Node: ni.Node()})
		}
	}
	now := pl.now()
	allowed := p.Allowed(pod, p.Count(pod, placed), now)
	tried := 0
	if v, ok := pl.tried.LoadAndDelete(pod.UID); ok {
		tried = v.(int)
	}
	c := &cycle{policy: p, allowed: allowed, plan: p.PreemptPlan(allowed, p.Victims(pod, placed), tried)}
	state.Write(stateKey, c)
	pl.wakeAtTimeout(ctx, p, pod, now)
	return nil, nil
}

// wakeAtTimeout: a pod held to its unit until its TimeoutOrExceedMax timeout is tried again then.
// Without it the pod would wait for an unrelated cluster event or the queue's 5-minute flush.
func (pl *Plugin) wakeAtTimeout(ctx context.Context, p *Policy, pod *v1.Pod, now time.Time) {
	if p.policyName() != PolicyTimeoutOrExceedMax {
		return
	}
	wait := p.timeout() - now.Sub(pod.CreationTimestamp.Time)
	if wait <= 0 {
		return
	}
	if _, loaded := pl.timers.LoadOrStore(pod.UID, true); loaded {
		return
	}
	logger := klog.FromContext(ctx)
	time.AfterFunc(wait+100*time.Millisecond, func() {
		pl.timers.Delete(pod.UID)
		pl.handle.Activate(logger, map[string]*v1.Pod{pod.Namespace + "/" + pod.Name: pod})
	})
}

func (pl *Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

func readCycle(state fwk.CycleState) *cycle {
	d, err := state.Read(stateKey)
	if err != nil {
		return nil
	}
	c, _ := d.(*cycle)
	return c
}

func (pl *Plugin) Filter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, ni fwk.NodeInfo) *fwk.Status {
	c := readCycle(state)
	if c == nil || c.policy == nil {
		return pl.taints.Filter(ctx, state, pod, ni)
	}
	// A shallow copy: the pod in the scheduler's cache keeps its own spec.
	tolerating := *pod
	tolerating.Spec.Tolerations = c.policy.Tolerations(pod, ni.Node())
	if s := pl.taints.Filter(ctx, state, &tolerating, ni); !s.IsSuccess() {
		return s
	}
	i := c.policy.UnitOf(ni.Node())
	if c.plan.Admit[i] {
		return nil
	}
	if c.allowed[i] {
		return fwk.NewStatus(fwk.Unschedulable, fmt.Sprintf("unit %d of ResourcePolicy %s waits: preemption is tried in unit %d first (BeforeNextUnit)", i, c.policy.Name, c.plan.Preempt[0]))
	}
	if i == len(c.policy.Spec.Units) {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, fmt.Sprintf("node is in no unit of ResourcePolicy %s (strategy %s)", c.policy.Name, c.policy.Spec.Strategy))
	}
	return fwk.NewStatus(fwk.Unschedulable, fmt.Sprintf("unit %d of ResourcePolicy %s is not open (%s)", i, c.policy.Name, c.policy.policyName()))
}

// PreEnqueue: the preemption machinery holds back a pod whose victims are still being evicted.
func (pl *Plugin) PreEnqueue(ctx context.Context, pod *v1.Pod) *fwk.Status {
	return pl.preemption.PreEnqueue(ctx, pod)
}

// PostFilter runs when no admitted node fits. A pod without a policy gets kube-scheduler's default
// preemption over every node; one with a policy gets it on one unit's nodes at a time, in the order
// of its Plan, so victims are only ever chosen in the earliest unit where preemption helps.
func (pl *Plugin) PostFilter(ctx context.Context, state fwk.CycleState, pod *v1.Pod, m fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	c := readCycle(state)
	if c == nil || c.policy == nil {
		return pl.preemption.PostFilter(ctx, state, pod, m)
	}
	if len(c.plan.Preempt) == 0 {
		return framework.NewPostFilterResultWithNominatedNode(""), fwk.NewStatus(fwk.Unschedulable, fmt.Sprintf("ResourcePolicy %s: no open unit holds a pod of lower priority to preempt", c.policy.Name))
	}
	nodes, err := pl.handle.SnapshotSharedLister().NodeInfos().List()
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	var msgs []string
	for _, i := range c.plan.Preempt {
		r, s := pl.preemption.Evaluator.Preempt(ctx, state, pod, inUnit(m, c.policy, i, nodes))
		// Success: victims chosen in unit i. No result: an error, or the pod waits for the victims
		// of an earlier preemption to go (its nomination kept); either way not a reason to move on.
		if s.IsSuccess() || r == nil {
			return r, s
		}
		msgs = append(msgs, fmt.Sprintf("unit %d: %s", i, s.Message()))
		if c.plan.Stepwise {
			pl.tried.Store(pod.UID, i+1)
			pl.handle.Activate(klog.FromContext(ctx), map[string]*v1.Pod{pod.Namespace + "/" + pod.Name: pod})
		}
	}
	return framework.NewPostFilterResultWithNominatedNode(""), fwk.NewStatus(fwk.Unschedulable, fmt.Sprintf("ResourcePolicy %s (%s): preemption found no victims: %v", c.policy.Name, c.policy.preemptPolicy(), msgs))
}

// unitStatuses is the Filter verdicts with every node outside one unit made unresolvable, so the
// default preemption looks for victims in that unit only.
type unitStatuses struct {
	fwk.NodeToStatusReader
	in map[string]bool
}

var unresolvable = fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "outside the ResourcePolicy unit preemption is tried in")

func inUnit(m fwk.NodeToStatusReader, p *Policy, unit int, nodes []fwk.NodeInfo) unitStatuses {
	in := map[string]bool{}
	for _, ni := range nodes {
		if p.UnitOf(ni.Node()) == unit {
			in[ni.Node().Name] = true
		}
	}
	return unitStatuses{NodeToStatusReader: m, in: in}
}

func (u unitStatuses) Get(name string) *fwk.Status {
	if !u.in[name] {
		return unresolvable
	}
	return u.NodeToStatusReader.Get(name)
}

func (u unitStatuses) NodesForStatusCode(lister fwk.NodeInfoLister, code fwk.Code) ([]fwk.NodeInfo, error) {
	all, err := u.NodeToStatusReader.NodesForStatusCode(lister, code)
	if err != nil {
		return nil, err
	}
	out := all[:0:0]
	for _, ni := range all {
		if u.in[ni.Node().Name] {
			out = append(out, ni)
		}
	}
	return out, nil
}

func (pl *Plugin) Score(ctx context.Context, state fwk.CycleState, pod *v1.Pod, ni fwk.NodeInfo) (int64, *fwk.Status) {
	c := readCycle(state)
	if c == nil || c.policy == nil {
		return 0, nil
	}
	return Rank(c.policy.UnitOf(ni.Node()), len(c.policy.Spec.Units)), nil
}

func (pl *Plugin) ScoreExtensions() fwk.ScoreExtensions { return nil }

func (pl *Plugin) PreBindPreFlight(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodeName string) (*fwk.PreBindPreFlightResult, *fwk.Status) {
	if c := readCycle(state); c == nil || c.policy == nil {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	return &fwk.PreBindPreFlightResult{AllowParallel: true}, nil
}

// PreBind patches the unit's podLabels and podAnnotations onto the pod before it is bound.
func (pl *Plugin) PreBind(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodeName string) *fwk.Status {
	c := readCycle(state)
	if c == nil || c.policy == nil {
		return nil
	}
	ni, err := pl.handle.SnapshotSharedLister().NodeInfos().Get(nodeName)
	if err != nil {
		return fwk.AsStatus(err)
	}
	i := c.policy.UnitOf(ni.Node())
	if i >= len(c.policy.Spec.Units) {
		return nil
	}
	u := c.policy.Spec.Units[i]
	if len(u.PodLabels) == 0 && len(u.PodAnnotations) == 0 {
		return nil
	}
	patch, _ := json.Marshal(map[string]interface{}{"metadata": map[string]interface{}{"labels": u.PodLabels, "annotations": u.PodAnnotations}})
	_, err = pl.handle.ClientSet().CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1Patch)
	return fwk.AsStatus(err)
}
