import { boot } from './boot';
import { keepFolds } from './core/folds';
import { followLesson } from './core/lesson-save';
import { restoreLocal, startLocalAutosave } from './core/local';

// The dashboard: the browser's own copy first, then the server (live/client.ts).
// ELK is loaded only when a layout is asked for (model/layout.ts): a design
// that has its positions never downloads it.
boot((stores, client) => {
  restoreLocal(stores.app);
  startLocalAutosave(stores.app);
  followLesson(stores);
  keepFolds(stores.app);
  client.start();
});
