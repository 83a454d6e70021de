// The ElasticWorkload controller component belongs to its placement kind; the backends that start
// it themselves (kind, existing) import it from here until they ask the placement kind.
export { ControllerComponent } from '../../../kinds/placement/elasticworkload/index.ts';
