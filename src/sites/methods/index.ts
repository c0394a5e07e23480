// Every website REST method, with the family's answers to the module's errors.
import type { MethodDeclaration } from '../../rest/method.js';
import { translatingMethods } from '../../rest/translation.js';
import { SITE_ERRORS } from './errors.js';
import type { SitesPorts } from './ports.js';
import { formAddMethod, formDeleteMethod, formGetMethod, formListMethod, formUpdateMethod } from './formMethods.js';
import { siteAddMethod, siteDeleteMethod, siteGetMethod, siteListMethod, siteUpdateMethod } from './siteMethods.js';

export const sitesMethods: MethodDeclaration<SitesPorts>[] = translatingMethods<SitesPorts>(SITE_ERRORS, [
  siteAddMethod,
  siteGetMethod,
  siteListMethod,
  siteUpdateMethod,
  siteDeleteMethod,
  formAddMethod,
  formGetMethod,
  formListMethod,
  formUpdateMethod,
  formDeleteMethod,
]);
