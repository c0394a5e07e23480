// Every analytics REST method, with the family's answers to the analytics module's errors.
import type { Clock } from '../../clock.js';
import type { MethodDeclaration } from '../../rest/method.js';
import { translatingMethods } from '../../rest/translation.js';
import { ANALYTICS_ERRORS } from './errors.js';
import { expenseAddMethod, expenseDeleteMethod, expenseImportMethod, expenseListMethod } from './expenseMethods.js';
import type { AnalyticsPorts } from './ports.js';
import { reportDailyMethod, reportLevelsMethod, reportSourcesMethod } from './reportMethods.js';

type Ports = AnalyticsPorts & { readonly clock: Clock };

export const analyticsMethods: MethodDeclaration<Ports>[] = translatingMethods<Ports>(ANALYTICS_ERRORS, [
  expenseAddMethod,
  expenseListMethod,
  expenseDeleteMethod,
  expenseImportMethod,
  reportSourcesMethod,
  reportLevelsMethod,
  reportDailyMethod,
]);
