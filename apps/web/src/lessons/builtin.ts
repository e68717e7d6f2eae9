import interVlan from '@netcanvas/shared/lessons/inter-vlan.lesson.yaml?raw';
import sameVlan from '@netcanvas/shared/lessons/same-vlan.lesson.yaml?raw';
import vxlan from '@netcanvas/shared/lessons/vxlan.lesson.yaml?raw';

/** The built-in lessons (packages/shared/lessons), by scenario name: the same files a teacher writes. */
export const BUILTIN_LESSONS: Readonly<Record<string, string>> = {
  'same-vlan': sameVlan,
  'inter-vlan': interVlan,
  vxlan,
};
