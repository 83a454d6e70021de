/**
 * On a cluster ebbflow did not create, kube-controller-manager keeps its own flags: the HPA syncs
 * every 15 s and holds scale-downs for 5 min of real time whatever k is. At k > 1 every reaction
 * therefore appears k times slower in virtual time. This is the note the CLI prints and the summary
 * and the report carry; undefined at k = 1, where the replay is faithful.
 */
export function existingCompressionNote(k: number, kcm: { syncPeriodSeconds: number; downscaleStabilizationSeconds: number } = { syncPeriodSeconds: 15, downscaleStabilizationSeconds: 300 }): string | undefined {
  if (k <= 1) return undefined;
  const v = (s: number) => (s * k >= 120 ? `${+((s * k) / 60).toFixed(1)} virtual min` : `${s * k} virtual s`);
  return (
    `existing cluster at k=${k}: its kube-controller-manager cannot be given compressed flags, so the HPA syncs every ${kcm.syncPeriodSeconds} s and stabilizes scale-downs over ${kcm.downscaleStabilizationSeconds} s of real time ` +
    `(= ${v(kcm.syncPeriodSeconds)} and ${v(kcm.downscaleStabilizationSeconds)} at this k): reactions appear ${k}× slower in virtual time than they would in production; ` +
    'the HPA\'s behavior windows are compressed as usual. Use k=1 (or a short window) when an expectation is about reaction time'
  );
}
